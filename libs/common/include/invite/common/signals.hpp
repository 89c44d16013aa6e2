#pragma once
// Termination handling for the services: SIGINT and SIGTERM are blocked in every thread and received by one
// waiting thread, so shutdown code runs in normal thread context (no async-signal-safety constraints).
#include <functional>
#include <thread>

namespace invite::common {

// Call first thing in main, before any thread is started, so that every thread inherits the blocked mask.
void block_termination_signals();

// Starts a thread that waits for SIGINT/SIGTERM and then calls on_signal(signo) once.
// The thread is detached-safe: join it after on_signal has made main's loops return.
std::thread on_termination_signal(std::function<void(int)> on_signal);

// Makes a blocked termination signal be delivered to the waiting thread: used by tests and by main to stop
// itself (e.g. a fatal error in a worker thread).
void request_termination();

}  // namespace invite::common

#include "invite/runtime/termination.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <thread>

#include "invite/common/log.hpp"

namespace invite::runtime {

namespace asio = boost::asio;

struct TerminationSignals::Impl {
  asio::io_context io;
  asio::signal_set signals{io, SIGINT, SIGTERM};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::thread thread{[this] { io.run(); }};
};

TerminationSignals::TerminationSignals() : impl_(std::make_unique<Impl>()) {}

TerminationSignals::~TerminationSignals() {
  // A wait still pending ends with operation_aborted; the thread then runs out of work.
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->signals.cancel();
    impl->work.reset();
  });
  impl_->thread.join();
}

void TerminationSignals::on_signal(std::function<void(int)> fn) {
  // Through the io_context: the signal_set is only ever touched from its thread.
  asio::post(impl_->io, [impl = impl_.get(), fn = std::move(fn)]() mutable {
    impl->signals.async_wait([fn = std::move(fn)](const boost::system::error_code& ec, int signo) {
      if (!ec) fn(signo);
    });
  });
}

int TerminationSignals::run_until_signal(const std::function<common::Result<>(const std::atomic<bool>& stop)>& loop) {
  // Shared: a signal after the loop has ended (with an error) still finds the flag.
  auto stopping = std::make_shared<std::atomic<bool>>(false);
  on_signal([stopping](int signo) {
    common::log_info("stopping", {{"signal", std::int64_t{signo}}});
    *stopping = true;
  });
  const auto ended = loop(*stopping);
  if (!ended) common::log_error(ended.error().message);
  return ended ? 0 : 1;
}

}  // namespace invite::runtime

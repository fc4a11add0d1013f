#include "ipfs_kit/base/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace ipfs_kit {
namespace {

TEST(WorkerPool, RunsEveryTaskAndStopRunsTheQueuedOnes) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(3, 1000);
    for (int i = 0; i < 500; ++i) {
      ASSERT_TRUE(pool.Submit([&] { ran.fetch_add(1); }));
    }
  }  // the destructor runs what is queued
  EXPECT_EQ(ran.load(), 500);
}

TEST(WorkerPool, FullQueueRefusesAndCancelHandsQueuedTasksFalse) {
  WorkerPool pool(1, 2);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.Submit([&, gate] {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait();  // the only thread is busy now
  std::atomic<int> cancelled{0}, ran{0};
  auto task = [&](bool run) { (run ? ran : cancelled).fetch_add(1); };
  EXPECT_TRUE(pool.Submit(WorkerPool::Task(task)));
  EXPECT_TRUE(pool.Submit(WorkerPool::Task(task)));
  EXPECT_FALSE(pool.Submit(WorkerPool::Task(task)));  // queue of 2 is full
  std::thread stopper([&] { pool.Stop(WorkerPool::Queued::kCancel); });
  // Stop hands the queued tasks `false` before it waits for the busy thread.
  while (cancelled.load() < 2) std::this_thread::yield();
  release.set_value();
  stopper.join();
  EXPECT_EQ(ran.load(), 0);
  EXPECT_EQ(cancelled.load(), 2);
  EXPECT_FALSE(pool.Submit([] {}));  // stopped
}

}  // namespace
}  // namespace ipfs_kit

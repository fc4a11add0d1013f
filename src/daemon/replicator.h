// Replication (DESIGN §5): the reconcile loop brings every CID to its policy
// (replication_min..max locations on usable backends), the workers run the
// copy and trim jobs it decides, and the verify loop re-hashes stored blocks
// and repairs them from another replica.
//
// Durability: a job is its location row in the state store. A copy is
// recorded as `pinning` BEFORE it starts and becomes `pinned` only after the
// destination holds the whole DAG; a trim is recorded as `removing` before
// the unpin. A daemon killed at any moment finds those rows on restart and
// runs them again (copies are idempotent: blocks already present are
// skipped, pins are idempotent), and the (cid, backend) key means a location
// is never doubled.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "backend_registry.h"
#include "ipfs_kit/daemon/config.h"
#include "ipfs_kit/state/store.h"
#include "log.h"

namespace ipfs_kit::daemon {

struct ReplicationStatus {
  int64_t queue_depth = 0;                                   // jobs waiting for a worker
  std::vector<std::pair<std::string, std::string>> running;  // (cid, backend)
  int64_t jobs_done = 0, jobs_failed = 0, blocks_copied = 0, bytes_copied = 0;
  int64_t blocks_verified = 0, blocks_repaired = 0;
};

class Replicator {
 public:
  // `self_origin`: this daemon's HTTP base URL, given as an origin to
  // backends that fetch by themselves (they read blocks from /ipfs/{cid}).
  Replicator(state::Store& store, BackendRegistry& registry, Log& log, std::string self_origin);
  ~Replicator();
  void SetConfig(const DaemonConfig& c);
  // Called after a change others should see (the index publisher).
  void OnChange(std::function<void()> fn) { on_change_ = std::move(fn); }
  void Start();
  // Stops taking jobs, lets running ones finish, joins the threads. Rows of
  // jobs not finished stay in the store and resume on the next start.
  void Stop();
  void Wake();
  ReplicationStatus GetStatus() const;
  // One reconcile pass over due CIDs (tests and the loop).
  void ReconcileOnce();
  // One verify round; returns blocks repaired.
  int64_t VerifyOnce();

 private:
  enum class Kind { kCopy, kTrim };
  struct Job {
    Kind kind;
    std::string cid, backend;
  };
  void ReconcileLoop();
  void VerifyLoop();
  void Worker();
  void ReconcileCid(const state::CidRecord& c);
  void Enqueue(Kind kind, const std::string& cid, const std::string& backend);
  void RunCopy(const Job& j);
  void RunTrim(const Job& j);
  void FailLocation(state::LocationRecord l, const std::string& error);
  std::shared_ptr<backends::Backend> FindSource(const std::string& cid, const std::string& exclude,
                                                const std::vector<std::string>& origins);
  bool VerifyLocation(const state::LocationRecord& l, int64_t* repaired);
  int64_t Backoff(int attempts) const;
  void Changed();

  state::Store& store_;
  BackendRegistry& registry_;
  Log& log_;
  std::string self_origin_;
  std::function<void()> on_change_;

  mutable std::mutex mu_;
  std::condition_variable cv_;       // workers: jobs or stop
  std::condition_variable wake_cv_;  // reconcile: wake or stop
  std::condition_variable verify_cv_;
  bool woken_ = false;
  bool stop_ = false;
  DaemonConfig config_;
  std::deque<Job> queue_;
  std::set<std::pair<std::string, std::string>> in_flight_;  // queued or running
  std::set<std::pair<std::string, std::string>> running_;
  std::vector<std::thread> threads_;
  std::atomic<int64_t> jobs_done_{0}, jobs_failed_{0}, blocks_copied_{0}, bytes_copied_{0};
  std::atomic<int64_t> blocks_verified_{0}, blocks_repaired_{0};
  // Locations per backend, from the store at the start of a reconcile pass
  // plus what the pass allocated: new copies go to the least loaded.
  std::map<std::string, int64_t> load_;
  // Outcomes of the reconcile pass in progress, committed together
  // (reconcile thread only).
  std::vector<std::pair<state::CidRecord, bool>> outcomes_;
};

}  // namespace ipfs_kit::daemon

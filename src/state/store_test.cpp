#include "ipfs_kit/state/store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace ipfs_kit::state {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ipfs-kit-state-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/state.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<Store> OpenStore() {
    auto s = Store::Open(path_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  static PinRecord Pin(std::string cid, std::string name, int rmin = 1, int rmax = 1) {
    PinRecord p;
    p.cid = std::move(cid);
    p.name = std::move(name);
    p.replication_min = rmin;
    p.replication_max = rmax;
    return p;
  }
  std::string dir_, path_;
};

TEST_F(StoreTest, AddGetDeletePinsAndPolicy) {
  auto st = OpenStore();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->schema_version(), 4);
  auto added =
      st->AddPins({Pin("bafyA", "one", 1, 2), Pin("bafyA", "two", 2, 3), Pin("bafyB", "three")});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  ASSERT_EQ(added->size(), 3u);
  EXPECT_EQ((*added)[0].request_id.size(), 32u);
  EXPECT_NE((*added)[0].request_id, (*added)[1].request_id);
  EXPECT_EQ((*added)[0].status, "queued");

  auto a = st->GetCid("bafyA");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->replication_min, 2);
  EXPECT_EQ((*a)->replication_max, 3);

  ASSERT_TRUE(st->DeletePin((*added)[1].request_id).ok());
  a = st->GetCid("bafyA");
  EXPECT_EQ((*a)->replication_min, 1);
  EXPECT_EQ((*a)->replication_max, 2);
  EXPECT_EQ(st->DeletePin((*added)[1].request_id).code(), StatusCode::kNotFound);

  ASSERT_TRUE(st->DeletePin((*added)[0].request_id).ok());
  a = st->GetCid("bafyA");
  EXPECT_EQ((*a)->replication_min, 0);  // nothing asks for it: trim everything
  ASSERT_TRUE(st->DropCidIfUnused("bafyA").ok());
  EXPECT_FALSE(st->GetCid("bafyA")->has_value());

  auto got = st->GetPin((*added)[2].request_id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->name, "three");
  EXPECT_FALSE(st->GetPin("nope")->has_value());
}

TEST_F(StoreTest, IdempotencyKeyAddsOnce) {
  auto st = OpenStore();
  PinRecord p = Pin("bafyK", "k");
  p.idempotency_key = "spool-1";
  auto first = st->AddPins({p});
  auto second = st->AddPins({p});
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ((*first)[0].request_id, (*second)[0].request_id);
  EXPECT_EQ(st->GetCounts()->pins, 1);
}

TEST_F(StoreTest, ListPinsFilters) {
  auto st = OpenStore();
  std::vector<PinRecord> pins;
  for (int i = 0; i < 30; ++i) {
    PinRecord p = Pin("bafy" + std::to_string(i),
                      i % 2 ? "Photo-" + std::to_string(i) : "doc" + std::to_string(i));
    p.created_ms = 1000 + i;
    p.meta_json = i % 3 == 0 ? R"({"app":"x"})" : "{}";
    pins.push_back(p);
  }
  ASSERT_TRUE(st->AddPins(pins).ok());
  PinQuery q;
  q.limit = 5;
  auto page = st->ListPins(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->count, 30);
  ASSERT_EQ(page->results.size(), 5u);
  EXPECT_EQ(page->results[0].created_ms, 1029);  // newest first

  q.before_ms = 1010;
  page = st->ListPins(q);
  EXPECT_EQ(page->count, 10);
  EXPECT_EQ(page->results[0].created_ms, 1009);
  q.before_ms.reset();
  q.after_ms = 1025;
  EXPECT_EQ(st->ListPins(q)->count, 4);
  q.after_ms.reset();

  q.name = "photo";
  q.match = "ipartial";
  EXPECT_EQ(st->ListPins(q)->count, 15);
  q.match = "partial";
  EXPECT_EQ(st->ListPins(q)->count, 0);
  q.name = "photo-3";
  q.match = "iexact";
  EXPECT_EQ(st->ListPins(q)->count, 1);
  q.match = "exact";
  EXPECT_EQ(st->ListPins(q)->count, 0);
  q.match = "fuzzy";
  EXPECT_EQ(st->ListPins(q).status().code(), StatusCode::kInvalidArgument);
  q = PinQuery();
  q.meta = {{"app", "x"}};
  EXPECT_EQ(st->ListPins(q)->count, 10);
  q = PinQuery();
  q.cids = {"bafy1", "bafy2", "nope"};
  EXPECT_EQ(st->ListPins(q)->count, 2);
  q = PinQuery();
  q.statuses = {"pinned"};
  EXPECT_EQ(st->ListPins(q)->count, 0);
  q.statuses = {"queued", "pinned"};
  EXPECT_EQ(st->ListPins(q)->count, 30);
  // A quote in a meta key must not break the query.
  q = PinQuery();
  q.meta = {{"a\"b", "x"}};
  EXPECT_TRUE(st->ListPins(q).ok());
}

TEST_F(StoreTest, LocationsAreNeverDoubled) {
  auto st = OpenStore();
  ASSERT_TRUE(st->AddPins({Pin("bafyL", "l", 2, 2)}).ok());
  LocationRecord l;
  l.cid = "bafyL";
  l.backend = "s3";
  EXPECT_TRUE(*st->PutLocation(l, true));
  EXPECT_FALSE(*st->PutLocation(l, true));  // already there
  l.state = "pinned";
  l.size_bytes = 42;
  EXPECT_TRUE(st->PutLocation(l).ok());
  auto locs = st->Locations("bafyL");
  ASSERT_EQ(locs->size(), 1u);
  EXPECT_EQ((*locs)[0].state, "pinned");
  EXPECT_EQ(st->GetCounts()->under_replicated, 1);
  l.backend = "local";
  ASSERT_TRUE(st->PutLocation(l).ok());
  EXPECT_EQ(st->GetCounts()->under_replicated, 0);
  auto totals = st->LocationTotals();
  ASSERT_EQ(totals->size(), 2u);
  EXPECT_EQ(std::get<2>((*totals)[0]), 42);
  EXPECT_EQ(st->CidsOnBackend("s3")->size(), 1u);
  ASSERT_TRUE(st->DeleteLocation("bafyL", "s3").ok());
  EXPECT_EQ(st->Locations("bafyL")->size(), 1u);
  LocationRecord bad = l;
  bad.backend = "kubo";
  bad.state = "failed";
  ASSERT_TRUE(st->PutLocation(bad).ok());
  auto failed = st->LocationsInState("failed", 10);
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ((*failed)[0].backend, "kubo");
  EXPECT_EQ(st->LeastRecentlyVerified(10)->size(), 1u);  // the pinned one only
}

TEST_F(StoreTest, DirtyQueue) {
  auto st = OpenStore();
  ASSERT_TRUE(st->AddPins({Pin("c1", ""), Pin("c2", "")}).ok());
  auto due = st->DueCids(NowMs(), 10);
  ASSERT_EQ(due->size(), 2u);
  CidRecord c = (*due)[0];
  c.status = "pinned";
  ASSERT_TRUE(st->UpdateCid(c, true).ok());
  EXPECT_EQ(st->DueCids(NowMs(), 10)->size(), 1u);
  CidRecord d = (*due)[1];
  d.next_attempt_ms = NowMs() + 1000000;  // retry later
  ASSERT_TRUE(st->UpdateCid(d, false).ok());
  EXPECT_EQ(st->DueCids(NowMs(), 10)->size(), 0u);
  ASSERT_TRUE(st->MarkDirty({c.cid}).ok());
  EXPECT_EQ(st->DueCids(NowMs(), 10)->size(), 1u);
  // A restart looks again only at what is not settled.
  c = (*st->DueCids(NowMs(), 10))[0];
  ASSERT_TRUE(st->UpdateCid(c, true).ok());  // settled as pinned
  ASSERT_TRUE(st->MarkUnsettled({"local"}).ok());
  EXPECT_EQ(st->DueCids(NowMs() + 2000000, 10)->size(), 1u);  // d only (queued)
  LocationRecord l;
  l.cid = c.cid;
  l.backend = "local";
  l.state = "pinned";
  ASSERT_TRUE(st->PutLocation(l).ok());
  ASSERT_TRUE(st->MarkUnsettled({"local"}).ok());
  EXPECT_EQ(st->DueCids(NowMs() + 2000000, 10)->size(), 1u);  // c's location is settled
  ASSERT_TRUE(st->MarkUnsettled({"other"}).ok());             // its backend was removed
  EXPECT_EQ(st->DueCids(NowMs() + 2000000, 10)->size(), 2u);
  c = *(*st->GetCid(c.cid));
  ASSERT_TRUE(st->UpdateCid(c, true).ok());
  l.state = "pinning";  // a copy the last daemon did not finish
  ASSERT_TRUE(st->PutLocation(l).ok());
  ASSERT_TRUE(st->MarkUnsettled({"local"}).ok());
  EXPECT_EQ(st->DueCids(NowMs() + 2000000, 10)->size(), 2u);
}

TEST_F(StoreTest, AMarkWhileReconcilingIsNotLost) {
  auto st = OpenStore();
  ASSERT_TRUE(st->AddPins({Pin("race", "", 1, 1)}).ok());
  auto due = st->DueCids(NowMs(), 10);
  ASSERT_EQ(due->size(), 1u);
  // While the reconciler decides with what it read, a new request raises the policy.
  ASSERT_TRUE(st->AddPins({Pin("race", "", 3, 3)}).ok());
  CidRecord settled = (*due)[0];
  settled.status = "pinned";
  settled.next_attempt_ms = NowMs() + 1000000;
  ASSERT_TRUE(st->UpdateCids({{settled, true}}).ok());
  auto again = st->DueCids(NowMs(), 10);
  ASSERT_EQ(again->size(), 1u) << "the new request's mark was lost";
  EXPECT_EQ((*again)[0].replication_min, 3);
  // Without a mark in between, the outcome sticks.
  CidRecord done = (*again)[0];
  ASSERT_TRUE(st->UpdateCids({{done, true}}).ok());
  EXPECT_TRUE(st->DueCids(NowMs(), 10)->empty());
}

TEST_F(StoreTest, HealthHistoryIsBounded) {
  auto st = OpenStore();
  for (int i = 0; i < 20; ++i) {
    HealthRecord h;
    h.backend = "b";
    h.at_ms = i;
    h.state = "healthy";
    ASSERT_TRUE(st->AddHealth(h, 5).ok());
  }
  auto h = st->Health("b", 100);
  ASSERT_EQ(h->size(), 5u);
  EXPECT_EQ((*h)[0].at_ms, 19);
}

TEST_F(StoreTest, BackendsPersistAcrossReopen) {
  {
    auto st = OpenStore();
    ASSERT_TRUE(st->PutBackend({"s3main", R"({"type":"s3"})", 0}).ok());
  }
  auto st = OpenStore();
  auto b = st->Backends();
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ((*b)[0].name, "s3main");
  EXPECT_EQ(st->DeleteBackend("nope").code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, AcknowledgedPinsSurviveKill) {
  // A child adds pins and reports each acknowledged request id through a pipe,
  // then is killed with SIGKILL mid-stream; every reported id must be there.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    auto st = Store::Open(path_);
    if (!st.ok()) _exit(2);
    for (int i = 0;; ++i) {
      auto r = (*st)->AddPins({Pin("bafyKill" + std::to_string(i), "")});
      if (!r.ok()) _exit(3);
      std::string line = (*r)[0].request_id + "\n";
      if (write(fds[1], line.data(), line.size()) < 0) _exit(4);
    }
  }
  close(fds[1]);
  std::string acked;
  char buf[4096];
  while (acked.size() < 33 * 50) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    ASSERT_GT(n, 0);
    acked.append(buf, n);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  for (;;) {  // ids written before the kill
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    acked.append(buf, n);
  }
  close(fds[0]);
  auto st = OpenStore();
  size_t checked = 0;
  for (size_t pos = 0; pos + 33 <= acked.size(); pos += 33) {
    std::string id = acked.substr(pos, 32);
    auto p = st->GetPin(id);
    ASSERT_TRUE(p.ok() && p->has_value()) << "acknowledged pin " << id << " lost";
    ++checked;
  }
  EXPECT_GE(checked, 50u);
}

TEST_F(StoreTest, NotADatabaseIsCorruption) {
  std::ofstream(path_)
      << "this is not sqlite, just some text that is long enough to look like a header......";
  auto s = Store::Open(path_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().ToString().find(path_), std::string::npos) << s.status().ToString();
}

}  // namespace
}  // namespace ipfs_kit::state

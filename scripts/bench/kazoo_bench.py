"""kazoo 2.8 side of `npm run bench` (Debian's python3-kazoo, run with /usr/bin/python3).
   kazoo_bench.py <connect> <workload w1..w6> <count> <path>
Prints one JSON line: {"cyclesPerSec":..,"p50Ms":..,"p99Ms":..}
kazoo's Lock recipe has its own node layout (not Curator-compatible); it is measured as the
Python peer users compare with."""
import json
import os
import logging
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import LockTimeout

logging.disable(logging.CRITICAL)


def client(connect):
    c = KazooClient(hosts=connect, timeout=10.0)
    c.start(timeout=30)
    return c


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return -1.0


def pct(sorted_ns, p):
    if not sorted_ns:
        return 0.0
    i = min(len(sorted_ns) - 1, max(0, int(-(-p * len(sorted_ns) // 1)) - 1))
    return sorted_ns[i] / 1e6


def on_threads(worker, clients):
    """Runs worker(c) for every client, each on its own thread, and waits for all."""
    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def report(cycles, elapsed_ns, lat):
    lat.sort()
    print(json.dumps({"cyclesPerSec": cycles / (elapsed_ns / 1e9), "p50Ms": pct(lat, 0.5), "p99Ms": pct(lat, 0.99)}))


def main():
    connect, workload, n, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    if workload == "w1":
        c = client(connect)
        lock = c.Lock(path)
        for _ in range(int(os.environ.get("BENCH_W1_WARMUP", "200"))):
            lock.acquire()
            lock.release()
        lat = []
        t0 = time.perf_counter_ns()
        for _ in range(n):
            s = time.perf_counter_ns()
            lock.acquire()
            lock.release()
            lat.append(time.perf_counter_ns() - s)
        report(n, time.perf_counter_ns() - t0, lat)
        c.stop()
    elif workload == "w2":
        sessions = 8
        clients = [client(connect) for _ in range(sessions)]
        state = {"done": 0, "last_release": 0}
        guard = threading.Lock()
        lat = []

        def worker(c):
            lock = c.Lock(path)
            while True:
                lock.acquire()
                now = time.perf_counter_ns()
                with guard:
                    state["done"] += 1
                    k = state["done"]
                    if state["last_release"] and k <= n:
                        lat.append(now - state["last_release"])
                    state["last_release"] = time.perf_counter_ns()
                lock.release()
                if k >= n:
                    break

        t0 = time.perf_counter_ns()
        on_threads(worker, clients)
        report(n, time.perf_counter_ns() - t0, lat)
        for c in clients:
            c.stop()
    elif workload == "w6":
        c = client(connect)
        lock = c.Lock(path)
        for _ in range(1000):
            lock.acquire()
            lock.release()
        before = rss_mb()
        t0 = time.perf_counter_ns()
        for _ in range(n):
            lock.acquire()
            lock.release()
        elapsed = time.perf_counter_ns() - t0
        print(json.dumps({"cyclesPerSec": n / (elapsed / 1e9), "p50Ms": 0, "p99Ms": 0, "rssBeforeMb": before, "rssAfterMb": rss_mb()}))
        c.stop()
    elif workload == "w4":
        sessions = 10
        clients = [client(connect) for _ in range(sessions)]
        holder = clients[0].Lock(path)
        holder.acquire()
        threads = []
        for i in range(n):
            lock = clients[i % sessions].Lock(path)

            def run(lock=lock):
                lock.acquire()
                lock.release()

            t = threading.Thread(target=run, daemon=True)
            t.start()
            threads.append(t)
        while len(clients[0].get_children(path)) < n + 1:
            time.sleep(0.02)
        t0 = time.perf_counter_ns()
        holder.release()
        for t in threads:
            t.join()
        elapsed = time.perf_counter_ns() - t0
        print(json.dumps({"cyclesPerSec": n / (elapsed / 1e9), "p50Ms": 0, "p99Ms": 0, "drainMs": elapsed / 1e6}))
        for c in clients:
            c.stop()
    elif workload == "w3":
        # n distinct lock paths held at once by one client: a thread per lock, then release all.
        c = client(connect)
        locks = [c.Lock("%s/%d" % (path, i)) for i in range(n)]
        lat = [0] * n
        acquired = threading.Barrier(n + 1)
        release = threading.Event()

        def hold(i):
            s = time.perf_counter_ns()
            locks[i].acquire()
            lat[i] = time.perf_counter_ns() - s
            acquired.wait()
            release.wait()
            locks[i].release()

        t0 = time.perf_counter_ns()
        threads = [threading.Thread(target=hold, args=(i,), daemon=True) for i in range(n)]
        for t in threads:
            t.start()
        acquired.wait()
        if len(c.get_children(path)) != n:
            raise SystemExit("expected %d lock paths" % n)
        release.set()
        for t in threads:
            t.join()
        report(n, time.perf_counter_ns() - t0, lat)
        c.stop()
    elif workload == "w5":
        # 8 clients on one read-write lock; every 10th operation of each is a write.
        sessions = 8
        per_session = -(-n // sessions)
        clients = [client(connect) for _ in range(sessions)]
        lat = []
        guard = threading.Lock()
        stuck = []
        completed = [0]

        def worker(c):
            read, write = c.ReadLock(path), c.WriteLock(path)
            mine = []
            for k in range(per_session):
                lock = write if k % 10 == 9 else read
                s = time.perf_counter_ns()
                try:
                    # kazoo 2.8's read-write lock can deadlock (a reader and a later writer
                    # wait on each other: python-zk/kazoo#649); a bound turns that into a report.
                    lock.acquire(timeout=10)
                except LockTimeout:
                    stuck.append(type(lock).__name__)
                    return
                lock.release()
                mine.append(time.perf_counter_ns() - s)
                with guard:
                    completed[0] += 1
            with guard:
                lat.extend(mine)

        t0 = time.perf_counter_ns()
        on_threads(worker, clients)
        if stuck:
            print(json.dumps({"error": "deadlocked after %d operations: %d sessions waited 10 s on each other (kazoo 2.8 bug, python-zk/kazoo#649)" % (completed[0], len(stuck))}))
        else:
            report(per_session * sessions, time.perf_counter_ns() - t0, lat)
        for c in clients:
            c.stop()
    else:
        raise SystemExit("unknown workload " + workload)


main()

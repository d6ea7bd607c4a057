#!/usr/bin/env python3
"""Summarise regress/bench/bench.sh results: medians over rounds, ratios.

usage: report.py RESULTS
Each line of RESULTS is "WORKLOAD DAEMON key=value ..." (one round), or
"# comment".  Prints a Markdown table and the targets of issue 6.
"""
import statistics, sys
from collections import defaultdict

rows = defaultdict(list)      # (workload, daemon) -> [dict]
extra = defaultdict(dict)
comments = []
order = []
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    if line.startswith("#"):
        comments.append(line)
        continue
    parts = line.split()
    w, d = parts[0], parts[1]
    kv = dict(p.split("=", 1) for p in parts[2:] if "=" in p)
    if w not in order:
        order.append(w)
    if "latfile" in kv or "shown" in kv:
        if "shown" in kv:
            rows[(w, d, "shown")].append(kv)
        else:
            extra[(w, d)]["latfile"] = kv["latfile"]
        continue
    rows[(w, d)].append(kv)


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def rate(kv):
    for k in ("stored_ps", "rps", "recv_ps"):
        if k in kv:
            return float(kv[k])
    return None


def fig(w, d, key=None):
    rs = rows.get((w, d), [])
    if key:
        return med([float(r[key]) for r in rs if key in r])
    return med([rate(r) for r in rs])


def cpu_per_k(w, d):
    out = []
    for r in rows.get((w, d), []):
        n = None
        if "reqs" in r:
            n = float(r["reqs"])
        elif "sent" in r:
            n = float(r["sent"]) - float(r.get("drops", 0))
        if n:
            out.append(float(r["cpu_ms"]) / (n / 1000.0))
    return med(out)


def rss(w, d):
    v = [int(r.get("rss_kb", 0)) for r in rows.get((w, d), [])]
    return max(v) if v else None


def pss(w, d):
    v = [int(r.get("pss_kb", 0)) for r in rows.get((w, d), [])]
    return max(v) if v else None


def lat(w, d):
    f = extra.get((w, d), {}).get("latfile")
    if not f:
        return None, None, 0
    xs = sorted(float(x) for x in open(f) if x.strip())
    if not xs:
        return None, None, 0
    return xs[len(xs) // 2], xs[min(len(xs) - 1, len(xs) * 99 // 100)], len(xs)


def rratio(w, a, b):
    """Median over rounds of a/b, both measured in the same round."""
    xs, ys = rows.get((w, a), []), rows.get((w, b), [])
    q = [rate(x) / rate(y) for x, y in zip(xs, ys)
         if rate(x) is not None and rate(y)]
    return statistics.median(q) if q else None


def fmt(v, nd=0):
    if v is None:
        return "-"
    return ("%." + str(nd) + "f") % v


print("| workload | figure | limit | netkit | ours | netkit/limit | "
      "ours/limit | ours/netkit | CPU ms/1000 netkit | CPU ms/1000 ours | "
      "peak RSS kB netkit | peak RSS kB ours | PSS kB netkit | PSS kB ours |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
summary = {}
for w in order:
    if w == "talkd-announce":
        fname = "answers/s (paced 40/s)"
    elif w.startswith("comsat-biffy"):
        fname = "datagrams taken/s"
    elif w.startswith("comsat"):
        fname = "datagrams taken/s"
    elif w.startswith("rwhod"):
        fname = "stored/s (limit: received/s)"
    else:
        fname = "requests/s"
    L, N, O = fig(w, "limit"), fig(w, "netkit"), fig(w, "ours")
    summary[w] = (L, N, O)
    r = lambda a, b: fmt(a / b, 2) if a is not None and b else "-"
    # ratios: median over rounds of the ratio within the round
    rr = lambda a, b: fmt(rratio(w, a, b), 2)
    print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        w, fname, fmt(L), fmt(N), fmt(O), rr("netkit", "limit"),
        rr("ours", "limit"), rr("ours", "netkit"),
        fmt(cpu_per_k(w, "netkit"), 1), fmt(cpu_per_k(w, "ours"), 1),
        fmt(rss(w, "netkit")), fmt(rss(w, "ours")),
        fmt(pss(w, "netkit")), fmt(pss(w, "ours"))))
    if w.startswith("rwhod"):
        print("| %s | received/s | %s | %s | %s | %s | %s | %s | | | | | | |" % (
            w, fmt(fig(w, "limit", "recv_ps")), fmt(fig(w, "netkit", "recv_ps")),
            fmt(fig(w, "ours", "recv_ps")), "", "", ""))
    if (w, "ours", "shown") in rows:
        sN = med([float(x["shown_ps"]) for x in rows[(w, "netkit", "shown")]])
        sO = med([float(x["shown_ps"]) for x in rows[(w, "ours", "shown")]])
        summary[w + ":shown"] = (None, sN, sO)
        print("| %s | notices shown/s | - | %s | %s | | | %s | | | | | | |" % (
            w, fmt(sN), fmt(sO), r(sO, sN)))
    if w == "talkd-announce":
        for d in ("limit", "netkit", "ours"):
            p50, p99, n = lat(w, d)
            summary[w + ":" + d] = (p50, p99)
            print("| %s | latency %s | p50 %s us | p99 %s us | n=%d | | | | "
                  "| | | | | |" % (w, d, fmt(p50), fmt(p99), n))
print()
for c in comments:
    print(c)

# targets
ratio = rratio

print("\nTargets (ratios: median over rounds of the ratio within a round):")


def tgt(name, value, ok, detail):
    if value is None:
        print("- %s: not measured in this run" % name)
    else:
        print("- %s: %s (%s)" % (name, "MET" if ok(value) else "MISSED",
                                 detail))


for w in ("talkd-miss", "talkd-cycle"):
    v = ratio(w, "ours", "limit")
    tgt(w + ": ours >= 0.5 of the limit", v, lambda x: x >= 0.5,
        "ours/limit %s, netkit/limit %s" % (
            fmt(v, 2), fmt(ratio(w, "netkit", "limit"), 2)))
c10, c1k = cpu_per_k("talkd-held10", "ours"), cpu_per_k("talkd-held10000",
                                                        "ours")
n10, n1k = cpu_per_k("talkd-held10", "netkit"), cpu_per_k("talkd-held10000",
                                                          "netkit")
v = c10 / c1k if c10 and c1k else None
tgt("talkd: rate at 10,000 held within 10% of the rate at 10", v,
    lambda x: x >= 0.9,
    "by CPU per request, the load-independent figure: ours %s, netkit %s; "
    "by rate/limit: ours %s, netkit %s" % (
        fmt(v, 2), fmt(n10 / n1k if n10 and n1k else None, 2),
        fmt((ratio("talkd-held10000", "ours", "limit") or 0) /
            (ratio("talkd-held10", "ours", "limit") or 1), 2),
        fmt((ratio("talkd-held10000", "netkit", "limit") or 0) /
            (ratio("talkd-held10", "netkit", "limit") or 1), 2)))
p = summary.get("talkd-announce:ours")
q = summary.get("talkd-announce:limit")
tgt("talkd: ANNOUNCE p99 <= 1 ms", p[1] if p else None, lambda x: x <= 1000,
    "ours p99 %s us, the bare UDP server's p99 %s us in the same run" % (
        fmt(p[1] if p else None), fmt(q[1] if q else None)))
for w in ("comsat-nologin", "comsat-biffn"):
    v = ratio(w, "ours", "netkit")
    tgt(w + ": ours >= netkit (datagrams taken)", v, lambda x: x >= 1,
        "ours/netkit %s; ours evaluates at most 20 of them a second, "
        "see BENCHMARKS.md" % fmt(v, 2))
s = summary.get("comsat-biffy:shown")
v = s[2] / s[1] if s and s[1] else None
tgt("comsat: notices shown >= 50x netkit", v, lambda x: x >= 50,
    "ours/netkit %s" % fmt(v, 2))
v = ratio("rwhod-5000", "ours", "netkit")
tgt("rwhod: 5,000 hosts stored >= netkit", v, lambda x: x >= 1,
    "ours/netkit %s" % fmt(v, 2))
worst = None
for w in order:
    n, o = rss(w, "netkit"), rss(w, "ours")
    if n and o:
        worst = max(worst or 0, o / n)
tgt("summed peak RSS <= 2x netkit (worst workload)", worst,
    lambda x: x <= 2, "worst ours/netkit %s" % fmt(worst, 2))

"""Cost of the constant-folding pass (run by hand from the repository root: ``python benchmarks/fold_pass.py``).

Checks a 100-rule spec and the shipped specs with the pass and with it replaced by the
identity, in one run, best of 15; prints the two times and their ratio.
"""
import sys, time, pathlib
sys.path.insert(0, "benchmarks")
import bench
from standardlang.lang import expressions, parser
from standardlang.lang.checker import check
from standardlang.errors import Source

texts = {"bench100": bench.spec_of(100)}
for p in sorted(pathlib.Path("specs").glob("*.stdl")):
    texts[p.stem] = p.read_text("utf-8")
trees = {k: parser.parse(t, k) for k, t in texts.items()}
real = expressions.fold

def best(fn, n=15):
    out = []
    for _ in range(n):
        t = time.perf_counter(); fn(); out.append(time.perf_counter() - t)
    return min(out)

for name, tree in trees.items():
    src = Source(name, texts[name])
    expressions.fold = real
    with_fold = best(lambda: check(tree, src))
    expressions.fold = lambda n: n
    without = best(lambda: check(tree, src))
    expressions.fold = real
    print(f"{name:24s} check with fold {with_fold*1000:7.2f} ms  without {without*1000:7.2f} ms  ratio {with_fold/without:.2f}")

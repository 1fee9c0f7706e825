#!/usr/bin/env python3
"""Exploration of classical linear text classifiers for the four heads of
piazza-model.bin, with scikit-learn, on exactly the data, labels and
stratified 5 folds of the Rust training (`examples/train.rs`).

Input: the TSV written by

    cargo run --release -p piazza-analysis --example dump_views -- /tmp/views.tsv

(file, index, label, fold, skeleton, plain of every training text; the raw
text is read from the data directory). Usage:

    python3 tools/explore.py /tmp/views.tsv DATA_DIR CONFIG [CONFIG...]
    python3 tools/explore.py /tmp/views.tsv DATA_DIR --nested NAME CAND[,CAND...]

A CONFIG is a name from CONFIGS below. Every run prints, per dataset, the
mean ± sd of the macro-F1 over the 5 outer folds (threshold fixed at the
classifier's natural decision point: 0 margin / 0.5 probability). The
HaSpeeDe FB folds get the whole TW file added to every training fold (and
vice versa), never to a test fold, as in the Rust training.

`--nested` chooses, inside every outer training fold, the candidate with the
best mean macro-F1 over 3 inner stratified folds (the outer test fold is never
seen), then scores the chosen candidate on the outer test fold: an honest
estimate of "pick the best of these candidates".

Every run also appends its figures to /tmp/explore_results.jsonl. The
results and the conclusions are in model/MODEL_CARD.md.

Requires: scikit-learn (tested with 1.9.1), numpy, scipy, and snowballstemmer
for the HurtLex features (`pip install scikit-learn snowballstemmer`).
"""

import csv
import json
import sys
import time
import unicodedata

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

csv.field_size_limit(10**9)

FILES = {
    "FB": ("haspeede2018/fb_train.tsv", ["TW"]),
    "TW": ("haspeede2018/tw_train.tsv", ["FB"]),
    "AMI": ("ami2020/train.tsv", []),
    "HODI": ("hodi2023/train.tsv", []),
    "HS3": ("haspeede3/train.tsv", []),
}


def load(views_path, data_dir):
    by_file = {}
    with open(views_path, encoding="utf-8", newline="") as fh:
        r = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(r)
        for file, idx, label, fold, skel, plain in r:
            by_file.setdefault(file, []).append((int(idx), int(label), int(fold), skel, plain))
    out = {}
    for name, (file, _) in FILES.items():
        rows = by_file[file]
        with open(f"{data_dir}/{file}", encoding="utf-8", newline="") as fh:
            raw = [row["text"] for row in csv.DictReader(fh, delimiter="\t")]
        assert len(raw) == len(rows), file
        assert [r[0] for r in rows] == list(range(len(rows)))
        out[name] = {
            "raw": raw,
            "lower": [t.lower() for t in raw],
            "fold": np.array([r[2] for r in rows]),
            "y": np.array([r[1] for r in rows]),
            "skel": [r[3] for r in rows],
            "plain": [r[4] for r in rows],
        }
    return out


def strip_accents(t):
    return "".join(c for c in unicodedata.normalize("NFKD", t.lower()) if not unicodedata.combining(c))


# ---------------------------------------------------------------- features


def tfidf(view="skel", word=(1, 2), char=(2, 5), analyzer="char_wb", sublinear=True,
          use_idf=True, min_df=1, max_features=None, binary=False, hashed_bits=0):
    """A featuriser: TF-IDF (sublinear tf, L2 rows) of word and char n-grams,
    each block L2-normalised, then concatenated and renormalised."""

    def build():
        vecs = []
        if word:
            vecs.append(dict(analyzer="word", ngram_range=word, token_pattern=r"(?u)\b\w+\b"))
        if char:
            vecs.append(dict(analyzer=analyzer, ngram_range=char))
        made = []
        for kw in vecs:
            if hashed_bits:
                made.append(("hash", HashingVectorizer(n_features=1 << hashed_bits, alternate_sign=False,
                                                        norm=None, lowercase=False, binary=binary, **kw),
                             TfidfTransformer(sublinear_tf=sublinear, use_idf=use_idf)))
            else:
                made.append(("tfidf", TfidfVectorizer(sublinear_tf=sublinear, use_idf=use_idf, min_df=min_df,
                                                      max_features=max_features, lowercase=False,
                                                      binary=binary, dtype=np.float32, **kw), None))
        return made

    class F:
        def fit_transform(self, texts):
            self.parts = build()
            blocks = []
            for kind, v, t in self.parts:
                if kind == "hash":
                    blocks.append(t.fit_transform(v.transform(texts)))
                else:
                    blocks.append(v.fit_transform(texts))
            return normalize(sp.hstack(blocks).tocsr())

        def transform(self, texts):
            blocks = []
            for kind, v, t in self.parts:
                if kind == "hash":
                    blocks.append(t.transform(v.transform(texts)))
                else:
                    blocks.append(v.transform(texts))
            return normalize(sp.hstack(blocks).tocsr())

    F.view = view
    return F


HURTLEX = None


def hurtlex_stems(data_dir):
    """HurtLex 1.2 IT single-word lemmas, Snowball-stemmed, to their
    (category, level) feature indices."""
    global HURTLEX
    if HURTLEX is None:
        import snowballstemmer
        st = snowballstemmer.stemmer("italian")
        cats = {}
        table = {}
        with open(f"{data_dir}/lexicons/hurtlex_it/hurtlex_IT_1.2.tsv", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                lemma = strip_accents(row["lemma"])
                if " " in lemma:
                    continue
                key = (row["category"], row["level"])
                j = cats.setdefault(key, len(cats))
                table.setdefault(st.stemWord(lemma), set()).add(j)
        HURTLEX = (st, table, len(cats))
    return HURTLEX


DATA_DIR = None


def lexfeat(texts, scale):
    import re
    st, table, n = hurtlex_stems(DATA_DIR)
    rows, cols, vals = [], [], []
    for i, t in enumerate(texts):
        counts = {}
        for w in re.findall(r"\w+", t):
            for j in table.get(st.stemWord(w), ()):
                counts[j] = counts.get(j, 0) + 1
        for j, c in counts.items():
            rows.append(i)
            cols.append(j)
            vals.append(scale * np.log1p(c))
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), n), dtype=np.float32)


def with_lex(featuriser, scale=0.3):
    """Appends HurtLex category counts (log1p, times `scale`) to the
    L2-normalised n-gram rows of `featuriser` (same view)."""

    class F:
        view = featuriser.view

        def fit_transform(self, texts):
            self.f = featuriser()
            return sp.hstack([self.f.fit_transform(texts), lexfeat(texts, scale)]).tocsr()

        def transform(self, texts):
            return sp.hstack([self.f.transform(texts), lexfeat(texts, scale)]).tocsr()

    return F


def two_views(fa, fb):
    """Concatenates two featurisers of two views (rows renormalised). Texts
    are passed as (view_a, view_b) pairs; `view` is a tuple."""

    class F:
        view = (fa.view, fb.view)

        def fit_transform(self, texts):
            self.a, self.b = fa(), fb()
            a, b = zip(*texts)
            return normalize(sp.hstack([self.a.fit_transform(list(a)), self.b.fit_transform(list(b))]).tocsr())

        def transform(self, texts):
            a, b = zip(*texts)
            return normalize(sp.hstack([self.a.transform(list(a)), self.b.transform(list(b))]).tocsr())

    return F


# ---------------------------------------------------------------- classifiers


class NBWeighted:
    """Scales features by the naive-Bayes log-count ratio (Wang & Manning
    2012) before a linear classifier; `beta` < 1 interpolates the weights
    toward their mean magnitude as in NBSVM."""

    def __init__(self, base, alpha=1.0, beta=1.0):
        self.base, self.alpha, self.beta = base, alpha, beta

    def fit(self, X, y):
        Xb = (X > 0).astype(np.float32)
        p = self.alpha + np.asarray(Xb[y == 1].sum(0)).ravel()
        q = self.alpha + np.asarray(Xb[y == 0].sum(0)).ravel()
        self.r = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
        self.base.fit(X @ sp.diags(self.r), y)
        if self.beta < 1:
            w = self.base.coef_
            self.base.coef_ = (1 - self.beta) * np.abs(w).mean() + self.beta * w
        return self

    def decision_function(self, X):
        return self.base.decision_function(X @ sp.diags(self.r))


def svc(C=1.0, cw="balanced"):
    return lambda: LinearSVC(C=C, class_weight=cw, loss="squared_hinge", dual=True, max_iter=10000)


def lr(C=1.0, cw="balanced"):
    return lambda: LogisticRegression(C=C, class_weight=cw, solver="liblinear", max_iter=1000)


def sgd(alpha=1e-5, loss="log_loss", epochs=5):
    return lambda: SGDClassifier(loss=loss, alpha=alpha, class_weight="balanced", max_iter=epochs, tol=None,
                                 random_state=0)


def nb(base, beta=1.0):
    return lambda: NBWeighted(base(), beta=beta)


CONFIGS = {}


def reg(name, feat, clf):
    CONFIGS[name] = (feat, clf)


# Feature sets x views.
for view in ["raw", "lower", "plain", "skel"]:
    reg(f"svc_w12_cwb25_{view}", tfidf(view, (1, 2), (2, 5)), svc())
    reg(f"lr_w12_cwb25_{view}", tfidf(view, (1, 2), (2, 5)), lr())
for name, feat in {
    "w12": tfidf("skel", (1, 2), None),
    "w13": tfidf("skel", (1, 3), None),
    "cwb25": tfidf("skel", None, (2, 5)),
    "cwb16": tfidf("skel", None, (1, 6)),
    "c16": tfidf("skel", None, (1, 6), analyzer="char"),
    "w12_cwb16": tfidf("skel", (1, 2), (1, 6)),
    "w12_cwb26": tfidf("skel", (1, 2), (2, 6)),
    "w13_cwb25": tfidf("skel", (1, 3), (2, 5)),
    "w12_c25": tfidf("skel", (1, 2), (2, 5), analyzer="char"),
    "w12_c16": tfidf("skel", (1, 2), (1, 6), analyzer="char"),
    "w12_cwb25_noidf": tfidf("skel", (1, 2), (2, 5), use_idf=False),
    "w12_cwb25_bin_noidf": tfidf("skel", (1, 2), (2, 5), use_idf=False, binary=True, sublinear=False),
    "w12_cwb25_md2": tfidf("skel", (1, 2), (2, 5), min_df=2),
    "w12_cwb25_h18": tfidf("skel", (1, 2), (2, 5), hashed_bits=18),
    "w12_cwb16_h18": tfidf("skel", (1, 2), (1, 6), hashed_bits=18),
    "w12_cwb16_h18_noidf": tfidf("skel", (1, 2), (1, 6), hashed_bits=18, use_idf=False),
}.items():
    reg(f"svc_{name}", feat, svc())
    reg(f"lr_{name}", feat, lr())
base = tfidf("skel", (1, 2), (2, 5))
for C in [0.1, 0.3, 1.0, 3.0]:
    reg(f"svc_C{C}", base, svc(C))
for C in [1.0, 3.0, 10.0, 30.0]:
    reg(f"lr_C{C}", base, lr(C))
reg("svc_nocw", base, svc(cw=None))
reg("lr_nocw", base, lr(cw=None))
reg("nbsvc", base, nb(svc()))
reg("nbsvc_b025", base, nb(svc(), 0.25))
reg("nblr", base, nb(lr()))
reg("nblr_C3", base, nb(lr(3.0)))
reg("sgd_log_4ep", base, sgd(1e-5, "log_loss", 4))
reg("sgd_hinge_20ep", base, sgd(1e-5, "hinge", 20))
reg("nbsvc_w12_cwb16_h18", tfidf("skel", (1, 2), (1, 6), hashed_bits=18), nb(svc()))
reg("nblr_w12_cwb16_h18", tfidf("skel", (1, 2), (1, 6), hashed_bits=18), nb(lr()))
for sc in [0.1, 0.3, 1.0]:
    reg(f"svc_lex{sc}", with_lex(base, sc), svc())
reg("svc_lex0.3_lower", with_lex(tfidf("lower", (1, 2), (2, 5)), 0.3), svc())
reg("svc_skelw12_lowercwb25", two_views(tfidf("skel", (1, 2), None), tfidf("lower", None, (2, 5))), svc())
reg("svc_skel_lower", two_views(tfidf("skel", (1, 2), (2, 5)), tfidf("lower", (1, 2), (2, 5))), svc())
for v in ["plain", "skel", "lower"]:
    for sc in [0.1, 0.3, 1.0]:
        reg(f"svc_lex{sc}_{v}", with_lex(tfidf(v, (1, 2), (2, 5)), sc), svc())
    reg(f"nbsvc_lex0.3_{v}", with_lex(tfidf(v, (1, 2), (2, 5)), 0.3), nb(svc()))
    reg(f"svc_lex0.3_{v}_h18", with_lex(tfidf(v, (1, 2), (2, 5), hashed_bits=18), 0.3), svc())
    reg(f"svc_lex0.3_{v}_c16", with_lex(tfidf(v, (1, 2), (1, 6), analyzer="char"), 0.3), svc())
reg("nbsvc_lower", tfidf("lower", (1, 2), (2, 5)), nb(svc()))
reg("svc_lower_c16", tfidf("lower", (1, 2), (1, 6), analyzer="char"), svc())


# ---------------------------------------------------------------- evaluation


def fit_predict(cfg, texts_tr, y_tr, texts_te):
    feat, clf = cfg
    f = feat()
    X = f.fit_transform(texts_tr)
    m = clf()
    m.fit(X, y_tr)
    return m.decision_function(f.transform(texts_te))


def run_fold(data, name, cfg, tr, te, extra):
    """Decision values of `cfg` (or of an Ensemble) on `te`, trained on `tr`
    plus the whole of the `extra` datasets."""
    d = data[name]
    if isinstance(cfg, Ensemble):
        outs = []
        for c in cfg.cfgs:
            both = np.concatenate([tr, te])
            s = run_fold(data, name, c, tr, both, extra)
            s_tr, s_te = s[: len(tr)], s[len(tr):]
            outs.append(s_te / s_tr.std())
        return np.mean(outs, axis=0)
    view = cfg[0].view
    ttr = texts_of(d, view, tr)
    ytr = d["y"][tr]
    for e in extra:
        ttr = ttr + texts_of(data[e], view)
        ytr = np.concatenate([ytr, data[e]["y"]])
    return fit_predict(cfg, ttr, ytr, texts_of(d, view, te))


def texts_of(d, view, idx=None):
    if idx is None:
        idx = range(len(d["y"]))
    if isinstance(view, tuple):
        return list(zip(*(texts_of(d, v, idx) for v in view)))
    return [d[view][i] for i in idx]


class Ensemble:
    """Averages the standardised decision values of several configs (each
    z-scored on its own training-fold decision values, so a margin and a
    log-odds weigh alike); decision point 0."""

    def __init__(self, names):
        self.cfgs = [CONFIGS[n] for n in names]


def outer_cv(data, name, cfg_or_choose, extra=None):
    d = data[name]
    extra = FILES[name][1] if extra is None else extra
    scores = []
    chosen = []
    for f in range(5):
        tr = np.where(d["fold"] != f)[0]
        te = np.where(d["fold"] == f)[0]
        if callable(cfg_or_choose):
            cfg, pick = cfg_or_choose(data, name, tr, extra)
            chosen.append(pick)
        else:
            cfg = cfg_or_choose
        s = run_fold(data, name, cfg, tr, te, extra)
        scores.append(f1_score(d["y"][te], (s > 0).astype(int), average="macro"))
    return np.array(scores), chosen


def nested_chooser(cands):
    def choose(data, name, tr, extra):
        d = data[name]
        skf = StratifiedKFold(n_splits=3, shuffle=True, random_state=0x5eed)
        best = None
        for cname in cands:
            cfg = config(cname)
            s = []
            for itr, ite in skf.split(tr, d["y"][tr]):
                a, b = tr[itr], tr[ite]
                p = run_fold(data, name, cfg, a, b, extra)
                s.append(f1_score(d["y"][b], (p > 0).astype(int), average="macro"))
            m = float(np.mean(s))
            if best is None or m > best[0]:
                best = (m, cname)
        return config(best[1]), best[1]

    return choose


def config(name):
    """`a+b+c` is an Ensemble of configs a, b, c; otherwise a CONFIGS entry."""
    if "+" in name:
        return Ensemble(name.split("+"))
    return CONFIGS[name]


def main():
    global DATA_DIR
    views, data_dir, *args = sys.argv[1:]
    DATA_DIR = data_dir
    data = load(views, data_dir)
    sets = ["FB", "TW", "AMI", "HODI", "HS3"]
    if args and args[0] == "--only":
        sets = args[1].split(",")
        args = args[2:]
    if args and args[0] == "--nested":
        runs = [(f"nested[{args[1]}]", nested_chooser(args[1].split(",")), None)]
    else:
        # `CONFIG@extra`: the datasets added to every training fold instead
        # of the default (`-` = none), e.g. `svc@-` or `svc@TW,HS3`.
        runs = []
        for a in args:
            c, _, e = a.partition("@")
            extra = None if not e else ([] if e == "-" else e.split(","))
            runs.append((a, config(c), extra))
    for label, cfg, extra in runs:
        t = time.time()
        res = {}
        picks = {}
        for name in sets:
            ex = None if extra is None else [x for x in extra if x != name]
            s, chosen = outer_cv(data, name, cfg, ex)
            print(f"  {label} {name}: {s.mean():.3f}±{s.std():.3f} {chosen or ''}", file=sys.stderr, flush=True)
            res[name] = (float(s.mean()), float(s.std()))
            if chosen:
                picks[name] = chosen
        line = " ".join(f"{n}={m:.3f}±{sd:.3f}" for n, (m, sd) in res.items())
        print(f"{label}: {line}  ({time.time() - t:.0f}s)" + (f" picks={picks}" if picks else ""), flush=True)
        with open("/tmp/explore_results.jsonl", "a") as fh:
            fh.write(json.dumps({"config": label, "results": res, "picks": picks}) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Sub-word (fastText) embedding features for the HaSpeeDe 2018 FB head,
evaluated with exactly the protocol of tools/explore.py (same views, same
seeded stratified 5 outer folds, whole TW file added to every FB training
fold, natural decision threshold, macro-F1 mean ± sd, optional nested CV).

Question answered: do unsupervised sub-word embeddings trained on the local
Italian corpora (no pretrained model) lift FB macro-F1 to >= 0.82?

Embeddings (strict, "train once" variant): a gensim FastText model is trained
ONCE on the `plain` view of every corpus EXCEPT haspeede2018/fb_train.tsv
(TW, AMI 2020, HODI 2023, HaSpeeDe 3) plus SENTIPOLC 2016 (not in views.tsv:
its raw text is lower-cased and accent-stripped like `plain`). No FB text is
ever seen by the embedding model, so no FB test fold leaks into it (outer or
inner). NB: for the HODI check the HODI texts (unlabelled) ARE in the
embedding corpus, i.e. that figure is transductive, not strict.

Usage (1 core):

    OMP_NUM_THREADS=1 python3 explore_embed.py /tmp/views.tsv DATA_DIR EXPLORE_PY \
        [--emb sg300|sg100|cbow300] [--only FB[,HODI]] CONFIG [CONFIG...]
    OMP_NUM_THREADS=1 python3 explore_embed.py /tmp/views.tsv DATA_DIR EXPLORE_PY \
        [--emb ...] --only FB --nested CAND[,CAND...]

EXPLORE_PY is the path of crates/piazza-analysis/tools/explore.py (imported,
not modified: loading, folds, TF-IDF configs, Ensemble, outer_cv and
nested_chooser come from it). CONFIG names are explore.py CONFIGS plus the
embedding configs registered below; `a|b` (quote it in the shell) is the
z-scored score-average Ensemble of explore.py (`|` instead of `+`, because
`+` is part of the combined config names). Trained models are cached in
/tmp/fbexp/ft_<emb>.model (sg300: ~2.4 GB because of gensim's 2M n-gram
buckets; ~6 min to train on one core). HurtLex features are computed by a
memoised copy of explore.lexfeat (identical output, ~4x faster). Results are appended to /tmp/fbexp/results.jsonl.

Embedding configs (E = embedding block, rows L2-normalised):
  emb_{mean,meanmax,idf}_{svc,lr,rbf}   E alone (mean / [mean;max] / idf-weighted
                                         mean of word vectors) + LinearSVC / LR / RBF-SVC
  skel+emb{w}                            svc_w12_cwb25_skel TF-IDF  ++ w*E(mean), LinearSVC
  lexplain+emb{w}                        svc_lex0.3_plain features ++ w*E(mean), LinearSVC
"""

import csv
import importlib.util
import json
import os
import re
import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize
from sklearn.svm import SVC, LinearSVC

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.makedirs("/tmp/fbexp", exist_ok=True)

EMB_PARAMS = {
    # name: gensim FastText kwargs
    "sg300": dict(sg=1, vector_size=300, window=5, min_count=2, min_n=3, max_n=6, epochs=15, negative=10),
    "sg100": dict(sg=1, vector_size=100, window=5, min_count=2, min_n=3, max_n=6, epochs=15, negative=10),
    "cbow300": dict(sg=0, vector_size=300, window=5, min_count=2, min_n=3, max_n=6, epochs=15, negative=10),
}

TOKEN = re.compile(r"https?://\S+|@\w+|\w+|[^\w\s]")


def tokenize(t):
    """`plain`-view text -> tokens: URLs -> <url>, @mentions -> @user, '#'
    dropped (hashtag kept as a word), words, and single non-space symbols
    (punctuation, emoji)."""
    out = []
    for m in TOKEN.findall(t):
        if m.startswith("http"):
            out.append("<url>")
        elif m.startswith("@") and len(m) > 1:
            out.append("@user")
        elif m == "#":
            continue
        else:
            out.append(m)
    return out


def embedding_corpus(ex, data, data_dir):
    """Token lists of every text except the FB ones."""
    sents = []
    for name in ["TW", "AMI", "HODI", "HS3"]:
        sents += [tokenize(t) for t in data[name]["plain"]]
    with open(f"{data_dir}/sentipolc2016/train.tsv", encoding="utf-8", newline="") as fh:
        sents += [tokenize(ex.strip_accents(row["text"])) for row in csv.DictReader(fh, delimiter="\t")]
    return [s for s in sents if s]


def train_embeddings(ex, data, data_dir, emb):
    from gensim.models import FastText

    path = f"/tmp/fbexp/ft_{emb}.model"
    if os.path.exists(path):
        return FastText.load(path)
    sents = embedding_corpus(ex, data, data_dir)
    t = time.time()
    m = FastText(sentences=sents, workers=1, seed=1, **EMB_PARAMS[emb])
    info = dict(emb=emb, texts=len(sents), tokens=sum(map(len, sents)), vocab=len(m.wv.key_to_index),
                seconds=round(time.time() - t, 1), params=EMB_PARAMS[emb])
    print("embedding:", json.dumps(info), file=sys.stderr, flush=True)
    with open("/tmp/fbexp/emb_info.jsonl", "a") as fh:
        fh.write(json.dumps(info) + "\n")
    m.save(path)
    return m


# ---------------------------------------------------------------- features

WV = None  # gensim KeyedVectors, set in main()
_CACHE = {}


def _vecs(text):
    v = _CACHE.get(text)
    if v is None:
        toks = tokenize(text) or ["<empty>"]
        v = (toks, np.stack([WV[w] for w in toks]).astype(np.float32))  # OOV -> char n-grams
        _CACHE[text] = v
    return v


def embed(texts, pool="mean", idf=None):
    rows = []
    for t in texts:
        toks, M = _vecs(t)
        if pool == "idf":
            w = np.array([idf.get(x, idf["<max>"]) for x in toks], dtype=np.float32)
            r = (w[:, None] * normalize(M)).sum(0) / w.sum()
        elif pool == "meanmax":
            Mn = normalize(M)
            r = np.concatenate([normalize(Mn.mean(0, keepdims=True))[0], normalize(Mn.max(0, keepdims=True))[0]])
        else:
            r = normalize(M).mean(0)
        rows.append(r)
    return normalize(np.vstack(rows))


def emb_feat(view="plain", pool="mean"):
    class F:
        def fit_transform(self, texts):
            self.idf = None
            if pool == "idf":
                df = {}
                for t in texts:
                    for w in set(_vecs(t)[0]):
                        df[w] = df.get(w, 0) + 1
                n = len(texts)
                self.idf = {w: np.log((1 + n) / (1 + c)) + 1 for w, c in df.items()}
                self.idf["<max>"] = np.log(1 + n) + 1
            return embed(texts, pool, self.idf)

        def transform(self, texts):
            return embed(texts, pool, self.idf)

    F.view = view
    return F


def sparse_plus_emb(sparse, weight, pool="mean"):
    """[sparse featuriser rows (L2) ; weight * embedding rows (L2)] on the
    sparse featuriser's view for the n-grams and `plain` for the embeddings."""
    sv = sparse.view

    class F:
        view = (sv, "plain") if sv != "plain" else "plain"

        def fit_transform(self, texts):
            self.s, self.e = sparse(), emb_feat("plain", pool)()
            a, b = (zip(*texts) if isinstance(self.view, tuple) else (texts, texts))
            return sp.hstack([self.s.fit_transform(list(a)),
                              sp.csr_matrix(weight * self.e.fit_transform(list(b)))]).tocsr()

        def transform(self, texts):
            a, b = (zip(*texts) if isinstance(self.view, tuple) else (texts, texts))
            return sp.hstack([self.s.transform(list(a)), sp.csr_matrix(weight * self.e.transform(list(b)))]).tocsr()

    return F


def register(ex):
    svc = ex.svc
    lr = ex.lr

    def rbf(C=1.0):
        return lambda: SVC(C=C, kernel="rbf", gamma="scale", class_weight="balanced")

    for pool in ["mean", "meanmax", "idf"]:
        for cname, clf in [("svc", svc(1.0)), ("svc3", svc(3.0)), ("lr", lr(3.0)), ("rbf", rbf(1.0)),
                           ("rbf3", rbf(3.0))]:
            ex.CONFIGS[f"emb_{pool}_{cname}"] = (emb_feat("plain", pool), clf)
    skel = ex.tfidf("skel", (1, 2), (2, 5))
    lexplain = ex.with_lex(ex.tfidf("plain", (1, 2), (2, 5)), 0.3)
    for w in [0.3, 0.5, 1.0, 1.5]:
        ex.CONFIGS[f"skel+emb{w}"] = (sparse_plus_emb(skel, w), svc())
        ex.CONFIGS[f"lexplain+emb{w}"] = (sparse_plus_emb(lexplain, w), svc())
        ex.CONFIGS[f"lexplain+embidf{w}"] = (sparse_plus_emb(lexplain, w, "idf"), svc())


def patch_lexfeat(ex):
    """Same output as explore.lexfeat (HurtLex features), but memoises the
    Snowball stem of every word and the row of every text (speed only)."""
    stems, rows_cache = {}, {}

    def lexfeat(texts, scale):
        st, table, n = ex.hurtlex_stems(ex.DATA_DIR)
        rows, cols, vals = [], [], []
        for i, t in enumerate(texts):
            counts = rows_cache.get(t)
            if counts is None:
                counts = {}
                for w in re.findall(r"\w+", t):
                    s = stems.get(w)
                    if s is None:
                        s = stems[w] = st.stemWord(w)
                    for j in table.get(s, ()):
                        counts[j] = counts.get(j, 0) + 1
                rows_cache[t] = counts
            for j, c in counts.items():
                rows.append(i)
                cols.append(j)
                vals.append(scale * np.log1p(c))
        return sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), n), dtype=np.float32)

    ex.lexfeat = lexfeat


def main():
    global WV
    views, data_dir, explore_py, *args = sys.argv[1:]
    spec = importlib.util.spec_from_file_location("explore", explore_py)
    ex = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ex)
    ex.DATA_DIR = data_dir
    patch_lexfeat(ex)
    emb = "sg300"
    if args and args[0] == "--emb":
        emb, args = args[1], args[2:]
    sets = ["FB"]
    if args and args[0] == "--only":
        sets, args = args[1].split(","), args[2:]
    data = ex.load(views, data_dir)
    WV = train_embeddings(ex, data, data_dir, emb).wv
    register(ex)
    # "+" in a config name means an explore.py Ensemble; our combined
    # configs use "+emb" inside the name, so resolve those first.
    def config(n):
        return ex.CONFIGS[n] if n in ex.CONFIGS else ex.Ensemble(n.split("|")) if "|" in n else ex.config(n)

    ex.config = config  # used by nested_chooser
    orig_ens = ex.Ensemble

    class Ens(orig_ens):
        def __init__(self, names):
            self.cfgs = [ex.CONFIGS[n] for n in names]

    ex.Ensemble = Ens
    if args and args[0] == "--nested":
        runs = [(f"nested[{args[1]}]", ex.nested_chooser(args[1].split(",")))]
    else:
        runs = [(a, config(a)) for a in args]
    for label, cfg in runs:
        t = time.time()
        res, picks, folds = {}, {}, {}
        for name in sets:
            s, chosen = ex.outer_cv(data, name, cfg)
            res[name] = (float(s.mean()), float(s.std()))
            folds[name] = [round(float(x), 4) for x in s]
            if chosen:
                picks[name] = chosen
        line = " ".join(f"{n}={m:.3f}±{sd:.3f}" for n, (m, sd) in res.items())
        print(f"[{emb}] {label}: {line}  ({time.time() - t:.0f}s)" + (f" picks={picks}" if picks else ""),
              flush=True)
        with open("/tmp/fbexp/results.jsonl", "a") as fh:
            fh.write(json.dumps({"emb": emb, "config": label, "results": res, "folds": folds, "picks": picks}) + "\n")


if __name__ == "__main__":
    main()

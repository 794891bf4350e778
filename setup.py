"""The C part of the build: the readers' parsing kernels (everything else is in pyproject.toml)."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "embedlab.formats._kernels",
            sources=["src/embedlab/formats/_kernels.c"],
            extra_compile_args=["-O3", "-std=c99", "-Wall", "-Wextra", "-Wno-unused-parameter"],
        )
    ]
)

"""Only for the optional native group backend; everything else is in pyproject.toml.

The extension is optional: without a C compiler Urne installs and runs on libsodium alone.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "urne.crypto._ed25519",
            ["src/urne/crypto/_ed25519.c"],
            extra_compile_args=["-O2", "-std=c11"],
            optional=True,
        )
    ]
)

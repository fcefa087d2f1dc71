"""The package version and the library versions recorded with every result."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__version__ = "0.1.0"

__all__ = ["__version__", "library_versions"]


def library_versions(*libraries: str) -> dict[str, str]:
    """``{"trustsem": ..., lib: version, ...}`` for the installed ``libraries``.

    Versions are read from the installed distributions' metadata, so no
    library is imported to learn its version; one that is not installed is
    recorded as ``"not installed"``.
    """
    out = {"trustsem": __version__}
    for lib in libraries:
        try:
            out[lib] = version(lib)
        except PackageNotFoundError:
            out[lib] = "not installed"
    return out

"""Static files for the benchmark: whitenoise's compressed, hashed storage, as in production.

The one difference: `static/vendor/bootstrap/bootstrap.min.css` ends with a
`sourceMappingURL=bootstrap.min.css.map` comment but the .map file is not in the repository, so
the portal's own `collectstatic` with DEBUG off stops with MissingFileError. Until the comment
(or the map) is fixed in static/, the benchmark leaves source-map comments unrewritten; every
other reference is hashed exactly as in production. Browsers fetch a source map only when the
developer tools are open, so the bytes a visitor transfers are the same.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    return tuple(
        (glob, tuple(p for p in rules if "sourceMappingURL" not in str(p)))
        for glob, rules in patterns
    )


class BenchStaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)

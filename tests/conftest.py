"""Suite-wide settings: under CI, hypothesis runs a fixed set of examples, so a landing is reproducible.

Locally, hypothesis keeps exploring new examples on every run (that is how it finds bugs); CI uses
the pinned hypothesis version with derandomized examples, so the same commit gives the same verdict.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

"""Build time: the compilers that read the official sources (XML, CSV, text) into `codebooks/`.

Nothing here runs when the workstation codes: lookup, search, billing and the app read the
compiled books through `workstation.codes.books` and never import this package (pinned by
tests/architecture/test_runtime_imports.py). `workstation.codes.build.BUILDERS` lists the
builders; `workstation codebooks build` and `codebooks install` run them.
"""

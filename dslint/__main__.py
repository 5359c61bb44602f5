"""``python -m dslint``."""

from dslint.cli import main

raise SystemExit(main())

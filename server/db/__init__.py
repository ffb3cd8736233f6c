"""Database access: the pool, migrations, all SQL (``queries/``) and Timescale-only DDL (``timescale.py``)."""

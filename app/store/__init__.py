"""The encrypted local archive (SQLCipher): schema, migrations, repositories."""

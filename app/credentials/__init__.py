"""The archive's data key: OS keyring, or wrapped under a passphrase."""

"""The window's dialogs (passphrase, account, about)."""

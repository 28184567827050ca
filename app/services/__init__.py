"""Asyncio orchestration over the blocking adapters. Qt-free; the only layer that knows asyncio."""

"""pytest plugin (entry point ``pytest11``): fixtures for testing against the Twenty emulator."""

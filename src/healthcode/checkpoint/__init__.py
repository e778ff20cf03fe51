"""The checkpoint device's library: its device file, offline decisions, local queue of scans, and
the signed batches it uploads. No database: it runs on the device."""

"""The JSON API (contracts.md section 2): one NinjaAPI at /api/, versioned routes under /api/v1/."""

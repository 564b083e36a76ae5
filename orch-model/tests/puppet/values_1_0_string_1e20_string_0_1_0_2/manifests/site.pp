warning(String(1.0) + String(1e20) + String(0.1 + 0.2))
site { }

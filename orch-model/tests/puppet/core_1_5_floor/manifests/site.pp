warning(String(1.5.floor))
site { }

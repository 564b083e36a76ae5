warning(String(empty(1)))
site { }

warning(String(empty(true)))
site { }

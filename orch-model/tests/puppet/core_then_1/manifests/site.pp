warning(String(then(1)))
site { }

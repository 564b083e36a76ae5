warning(String(length(1)))
site { }

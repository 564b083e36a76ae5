warning(String(empty('')))
site { }

warning(String(Boolean('false')))
site { }

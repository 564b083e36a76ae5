warning(String(Boolean('yes')))
site { }

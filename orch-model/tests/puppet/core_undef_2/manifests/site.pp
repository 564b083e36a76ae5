warning(String(undef == ''))
site { }

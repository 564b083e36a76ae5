warning(String(1 =~ Integer))
site { }

warning(String([] == undef))
site { }

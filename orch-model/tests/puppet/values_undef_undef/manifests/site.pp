warning(String(undef =~ Undef))
site { }

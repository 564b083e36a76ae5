warning(String(lest(undef) || { 2 }))
site { }

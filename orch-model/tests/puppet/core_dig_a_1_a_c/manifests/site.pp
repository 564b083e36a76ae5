warning(String(dig({'a' => 1}, 'a', 'c')))
site { }

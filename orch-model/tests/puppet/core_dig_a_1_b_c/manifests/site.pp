warning(String(dig({'a' => 1}, 'b', 'c')))
site { }

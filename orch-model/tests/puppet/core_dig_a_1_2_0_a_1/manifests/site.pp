warning(String(dig([{'a' => [1, 2]}], 0, 'a', 1)))
site { }

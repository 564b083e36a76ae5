warning(String([*undef, *{'a' => 1}, *[2], *3]))
site { }

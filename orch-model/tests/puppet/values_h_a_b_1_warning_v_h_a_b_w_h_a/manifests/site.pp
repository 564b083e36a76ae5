$h = {'a' => {'b' => 1}} warning("v=${h['a']['b']} w=${h[a]}")
site { }

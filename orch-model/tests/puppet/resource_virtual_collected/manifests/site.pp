@notify { 'v': }
Notify <| title == 'v' |>
warning('ok')
site { }

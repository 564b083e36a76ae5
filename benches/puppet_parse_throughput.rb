# Times Puppet's own parser on a corpus, in one Ruby process (Puppet loaded once), so that its
# throughput can be set beside orch's (`cargo bench -p orch-benches --bench parse`).
#
#   ruby benches/puppet_parse_throughput.rb [DIR] [ROUNDS]
#
# DIR defaults to orch-parser/tests/fixtures. Needs an installed Puppet (the Debian package
# `puppet`, 7.x). Files Puppet cannot parse are counted once and skipped.
require 'puppet'
require 'benchmark'

dir = ARGV[0] || File.expand_path('../orch-parser/tests/fixtures', __dir__)
rounds = (ARGV[1] || '3').to_i
Puppet.initialize_settings(['--confdir', Dir.mktmpdir, '--vardir', Dir.mktmpdir])

files = Dir.glob(File.join(dir, '**', '*.pp')).sort.map { |f| File.read(f, encoding: 'utf-8') }
parser = Puppet::Pops::Parser::Parser.new
ok = files.select do |src|
  begin
    parser.parse_string(src)
    true
  rescue StandardError
    false
  end
end
bytes = ok.sum(&:bytesize)
best = Float::INFINITY
rounds.times do
  t = Benchmark.realtime { ok.each { |src| parser.parse_string(src) } }
  best = t if t < best
end
printf("puppet %s: %d files, %.2f MB, best of %d rounds %.3f s, %.2f MB/s\n",
       Puppet.version, ok.size, bytes / 1e6, rounds, best, bytes / 1e6 / best)

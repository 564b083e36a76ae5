#!/usr/bin/env ruby
# frozen_string_literal: true
#
# Bulk equivalent of `puppet parser dump --format pn FILE`, run once per file,
# but loading the installed Puppet only once.
#
# Usage: ruby puppet_dump_many.rb SRC_ROOT OUT_ROOT < relative-paths (one per line)
#
# For every relative path P read from stdin:
#   OUT_ROOT/P.pn  = what `puppet parser dump --format pn SRC_ROOT/P` prints on
#                    stdout after its "--- FILE" header (the dump plus "\n"),
#                    written only when Puppet reports no error;
#   OUT_ROOT/P.err = the error lines Puppet prints on stderr for that file
#                    ("Error: ..." lines, no ANSI colour codes, without the
#                    "Error: --- FILE" header line), written when it fails.
#   OUT_ROOT/P.warn = any warning lines printed for a file that does dump.
#
# It calls the very same face action as the command line
# (Puppet::Face[:parser, :current].dump) with the same options, so the parse
# path (no validation, Puppet[:tasks] false, ...) is the command line's.

require 'puppet'
require 'puppet/face'
require 'fileutils'

src_root, out_root = ARGV
abort "usage: #{$PROGRAM_NAME} SRC_ROOT OUT_ROOT < paths" unless src_root && out_root

Puppet.initialize_settings
Puppet[:color] = false

# Collects log messages the way the console destination would format them.
class DumpCollector
  LEVELS = {
    emerg: 'Emergency', alert: 'Alert', crit: 'Critical', err: 'Error',
    warning: 'Warning', notice: 'Notice', info: 'Info', debug: 'Debug'
  }.freeze
  attr_reader :lines

  def initialize
    @lines = []
  end

  def <<(msg)
    str = msg.respond_to?(:multiline) ? msg.multiline : msg.to_s
    str = msg.source == 'Puppet' ? str : "#{msg.source}: #{str}"
    @lines << [msg.level, "#{LEVELS[msg.level] || msg.level}: #{str}"]
  end
end

Puppet::Util::Log.newdesttype :dump_collector do
  match 'DumpCollector'
  def initialize(collector)
    @collector = collector
  end

  def handle(msg)
    @collector << msg
  end
end

face = Puppet::Face[:parser, :current]
counts = Hash.new(0)

Puppet.override({}, 'puppet_dump_many') do
  $stdin.each_line do |line|
    rel = line.chomp
    next if rel.empty?
    file = File.join(src_root, rel)
    collector = DumpCollector.new
    Puppet::Util::Log.newdestination(collector)
    result = nil
    begin
      result = face.dump(file, { format: 'pn' })
    rescue StandardError => e
      # What face_base does when an action raises.
      Puppet.log_exception(e)
      Puppet.err("Try 'puppet help parser dump' for usage")
      result = nil
    ensure
      Puppet::Util::Log.close(collector)
    end

    header = "--- #{file}"
    lines = collector.lines.reject { |(lvl, l)| lvl == :err && l == "Error: #{header}" }
    errors = lines.select { |(lvl, _)| %i[err alert emerg crit].include?(lvl) }
    base = File.join(out_root, rel)
    FileUtils.mkdir_p(File.dirname(base))
    %w[.pn .err .warn].each { |ext| File.delete(base + ext) if File.exist?(base + ext) }
    if errors.empty? && result.is_a?(String) && result.start_with?(header)
      body = result[header.length..]
      body += "\n" unless body.end_with?("\n") # what `puts` adds
      File.binwrite(base + '.pn', body)
      File.binwrite(base + '.warn', lines.map { |(_, l)| "#{l}\n" }.join) unless lines.empty?
      counts[:ok] += 1
    else
      File.binwrite(base + '.err', lines.map { |(_, l)| "#{l}\n" }.join)
      counts[:err] += 1
    end
  end
end
warn "puppet_dump_many: #{counts[:ok]} dumped, #{counts[:err]} rejected"

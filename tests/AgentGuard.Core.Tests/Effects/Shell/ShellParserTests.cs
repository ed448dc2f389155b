namespace AgentGuard.Effects.Shell;

/// <summary>
/// What the parser lists for the shell agents write. Each command renders as its words (a
/// pattern as <c>p:TEXT</c>, an opaque one as <c>o:TEXT</c>), its assignments, redirections
/// (<c>fd&gt;Kind:target</c>), <c>@cwd</c> when known and <c>stdin=</c> when known; commands are
/// joined by <c> ¦ </c>.
/// </summary>
public class ShellParserTests
{
    internal static string Render(ShellScript script)
        => string.Join(" ¦ ", script.Commands.Select(Render));

    internal static string Render(ShellCommand command)
    {
        var parts = new List<string>();
        parts.AddRange(command.Assignments.Select(a => a.Key + "=" + Render(a.Value)));
        parts.AddRange(command.Words.Select(Render));
        parts.AddRange(command.Redirections.Select(r => $"{r.Descriptor}>{r.Kind}:{Render(r.Target)}"));
        if (command.WorkingDirectory is not null)
        {
            parts.Add("@" + command.WorkingDirectory);
        }

        if (command.Stdin is not null)
        {
            parts.Add("stdin=" + command.Stdin);
        }

        return string.Join(' ', parts).Replace("\n", "\\n", StringComparison.Ordinal);
    }

    private static string Render(ShellWord word)
        => word.IsOpaque ? "o:" + word.Text : word.IsPattern ? "p:" + word.Text : word.Text;

    private static string Parse(string source, string? cwd = null)
    {
        var script = ShellParser.Parse(source, cwd);
        Assert.True(script.Complete, $"'{source}': {string.Join("; ", script.Errors)}");
        return Render(script);
    }

    [Theory]
    // simple commands, lists, pipelines
    [InlineData("ls -la /data", "ls -la /data")]
    [InlineData("a; b && c || d & e", "a ¦ b ¦ c ¦ d ¦ e")]
    [InlineData("a\nb\n\nc # comment\n# whole line", "a ¦ b ¦ c")]
    [InlineData("echo a#b #c", "echo a#b")]
    [InlineData("! grep -q x f | wc -l", "grep -q x f ¦ wc -l")]
    [InlineData("time -p sleep 1", "sleep 1")]
    // quoting
    [InlineData("cat /da'ta'/\"we\"ights", "cat /data/weights")]
    [InlineData("cat /d\\a\\t\\a/w", "cat /data/w")]
    [InlineData("cat /da\\\nta", "cat /data")]
    [InlineData("echo \"a\\\nb\"", "echo ab")]
    [InlineData("echo 'a\\nb' \"a\\nb\" \"\\$x \\\" \\\\ \\`\"", "echo a\\nb a\\nb $x \" \\ `")]
    [InlineData("echo $'\\x2fdata\\057w\\u00e9\\U0001F600\\cA\\e\\t'", "echo /data/wé😀\u0001\u001b\t")]
    [InlineData("echo $'a\\'b' $\"loc $'x'\"", "echo a'b loc $'x'")]
    [InlineData("echo '' \"\" x''", "echo   x")]
    [InlineData("echo '*' \"a?\" \\[x]", "echo * a? [x]")]
    // variables
    [InlineData("X=/data; cp $X/w.safetensors /mnt", "X=/data ¦ cp /data/w.safetensors /mnt")]
    [InlineData("D=/da; F=ta; rm -rf ${D}${F}/", "D=/da ¦ F=ta ¦ rm -rf /data/")]
    [InlineData("export X=/data Y; cat $X", "export X=/data Y ¦ cat /data")]
    [InlineData("f() { local P=/etc; cat $P/passwd; }; f", "local P=/etc ¦ cat /etc/passwd")]
    [InlineData("U=; W=w; echo ${U:-/def} ${U-d2} ${U:=/v} $U ${U:+alt} ${#W} ${N:-/n} ${N:+x}", "U= ¦ W=w ¦ echo /def /v /v alt 1 o:* o:*")]
    [InlineData("x=a.tar.gz; echo ${x%.*} ${x%%.*} ${x#*.} ${x##*.} ${x/a/b} ${x//a/b}", "x=a.tar.gz ¦ echo a.tar a tar.gz gz b.tar.gz b.tbr.gz")]
    [InlineData("x='a b'; touch $x \"$x\"", "x=a b ¦ touch a b a b")]
    [InlineData("x='*.txt'; rm $x \"$x\"", "x=*.txt ¦ rm p:*.txt *.txt")]
    [InlineData("rm -rf $UNSET/x \"$HOME\"", "rm -rf o:*/x o:*")]
    [InlineData("echo $1 $@ $$ ${!x} ${x^^}", "echo o:* o:* o:* o:* o:*")]
    [InlineData("A=1 B=2 env", "A=1 B=2 env")]
    [InlineData("a=(x y); echo $a", "a=x y ¦ echo x y")]
    // tilde
    [InlineData("HOME=/home/u; cat ~/.ssh/id_rsa ~ ~other/x", "HOME=/home/u ¦ cat /home/u/.ssh/id_rsa /home/u o:*/x")]
    [InlineData("cat ~/x", "cat o:*/x")]
    // command substitution
    [InlineData("cat $(echo /data)/w", "echo /data ¦ cat /data/w")]
    [InlineData("cat `echo /da``printf %s ta`", "echo /da ¦ printf %s ta ¦ cat /data")]
    [InlineData("cat \"$(echo \"$(echo /x)\")\"", "echo /x ¦ echo /x ¦ cat /x")]
    [InlineData("sh -c \"$(echo cm0gLXJmIC9kYXRh | base64 -d)\"", "echo cm0gLXJmIC9kYXRh ¦ base64 -d stdin=cm0gLXJmIC9kYXRh\\n ¦ sh -c rm -rf /data")]
    [InlineData("cat $(printf '%s/%s' /data w)", "printf %s/%s /data w ¦ cat /data/w")]
    [InlineData("cat $(echo 2f64617461 | xxd -r -p)", "echo 2f64617461 ¦ xxd -r -p stdin=2f64617461\\n ¦ cat /data")]
    [InlineData("cat $(basename /a/b.txt) $(dirname /a/b.txt)", "basename /a/b.txt ¦ dirname /a/b.txt ¦ cat b.txt /a")]
    [InlineData("cat $(cat <<EOF\n/data/w\nEOF\n)", "cat 0>HereDocument:/data/w\\n stdin=/data/w\\n ¦ cat /data/w")]
    [InlineData("rm $(ls /data)", "ls /data ¦ rm o:*")]
    [InlineData("echo $((1 + 2 * 3)) $((x)) $[4/2]", "echo 7 o:* 2")]
    // process substitution
    [InlineData("diff <(ls /a) >(cat)", "ls /a ¦ cat ¦ diff o:* o:*")]
    // redirections
    [InlineData("cmd > /o 2>&1 >> /a &> /b &>> /c >| /d < /e <> /f 3<&0 >&- 2>/dev/null", "cmd 1>Write:/o 2>Duplicate:1 1>Append:/a 1>Write:/b 1>Append:/c 1>Write:/d 0>Read:/e 0>ReadWrite:/f 3>Duplicate:0 1>Duplicate:- 2>Write:/dev/null")]
    [InlineData("echo x >$F.log", "echo x 1>Write:o:*.log")]
    [InlineData("cat <<< \"hi $X\"", "cat 0>HereString:o:hi *\\n")]
    // here-documents
    [InlineData("X=1; cat <<EOF > /etc/c\nv: $X\nEOF\necho done", "X=1 ¦ cat 0>HereDocument:v: 1\\n 1>Write:/etc/c stdin=v: 1\\n ¦ echo done")]
    [InlineData("cat <<'EOF'\nv: $X\nEOF", "cat 0>HereDocument:v: $X\\n stdin=v: $X\\n")]
    [InlineData("cat <<-\"E\"\n\tx\n\tE", "cat 0>HereDocument:x\\n stdin=x\\n")]
    [InlineData("cat <<A <<B\na\nA\nb\nB", "cat 0>HereDocument:a\\n 0>HereDocument:b\\n stdin=b\\n")]
    [InlineData("python3 - <<EOF\nimport os\nEOF\nls", "python3 - 0>HereDocument:import os\\n stdin=import os\\n ¦ ls")]
    // stdin from a pipeline
    [InlineData("echo cm0gLXJmIC8= | base64 -d | sh", "echo cm0gLXJmIC8= ¦ base64 -d stdin=cm0gLXJmIC8=\\n ¦ sh stdin=rm -rf /")]
    [InlineData("printf 'rm x' | bash", "printf rm x ¦ bash stdin=rm x")]
    [InlineData("curl http://x | sh", "curl http://x ¦ sh")]
    [InlineData("base64 -d <<< cm0gL3g= | sh", "base64 -d 0>HereString:cm0gL3g=\\n stdin=cm0gL3g=\\n ¦ sh stdin=rm /x")]
    [InlineData("bash -c \"$(xxd -r -p <<< 726d202f78)\"", "xxd -r -p 0>HereString:726d202f78\\n stdin=726d202f78\\n ¦ bash -c rm /x")]
    [InlineData("{ echo rm; echo -n /x; } | sh", "echo rm ¦ echo -n /x ¦ sh stdin=rm\\n/x")]
    [InlineData("echo 'ls /' | cat | bash", "echo ls / ¦ cat stdin=ls /\\n ¦ bash stdin=ls /\\n")]
    // control structures
    [InlineData("if test -f a; then rm a; elif true; then rm b; else rm c; fi", "test -f a ¦ rm a ¦ true ¦ rm b ¦ rm c")]
    [InlineData("for f in a b; do rm \"$f\"; done", "rm a ¦ rm b")]
    [InlineData("for f in /d/*.txt; do cp \"$f\" /x; done", "cp o:/d/*.txt /x")]
    [InlineData("for ((i=0;i<3;i++)); do echo $i; done", "echo o:*")]
    [InlineData("while read l; do rm \"$l\"; done < list", "0>Read:list ¦ read l ¦ rm o:*")]
    [InlineData("until false; do break; done", "false ¦ break")]
    [InlineData("case $1 in a|b) rm a;; (c) rm c;& *) rm d;;& esac", "rm a ¦ rm c ¦ rm d")]
    [InlineData("select x in a b; do echo $x; done", "echo a ¦ echo b")]
    [InlineData("(cd /tmp && rm x); { rm y; }", "cd /tmp ¦ rm x @/tmp ¦ rm y")]
    [InlineData("function g { rm \"$@\"; }; g /a /b; g", "rm /a /b ¦ rm")]
    [InlineData("g() (rm $1); g /x", "rm /x")]
    [InlineData("f() { f; }; f", null)]
    [InlineData("[[ -f $(echo x) && $a =~ ^(a|b)$ ]] && (( n > 1 )) && rm y", "echo x ¦ rm y")]
    [InlineData("coproc cat /x; coproc N { cat /y; }", "cat /x ¦ cat /y")]
    // brace expansion and globs
    [InlineData("echo {a,b{c,d}}x {1..10..3} {a..c} {01..3} {x} {} a{b", "echo ax bcx bdx 1 4 7 10 a b c 01 02 03 {x} {} a{b")]
    [InlineData("cp /data/{w.safetensors,config.json} /mnt", "cp /data/w.safetensors /data/config.json /mnt")]
    [InlineData("echo \"{a,b}\" '{1..2}'", "echo {a,b} {1..2}")]
    [InlineData("ls /d/*.txt /d/?x /d/[wW]eights '*'x* [ a]", "ls p:/d/*.txt p:/d/?x p:/d/[wW]eights p:\\*x* [ a]")]
    [InlineData("ls @(a|b) !(x) *.+(jpg)", "ls p:@(a|b) p:!(x) p:*.+(jpg)")]
    // working directory
    [InlineData("cd /data && rm w; cd ..; rm v; cd -; pushd /x; rm u; popd; rm t", "cd /data @/start ¦ rm w @/data ¦ cd .. @/data ¦ rm v @/ ¦ cd - @/ ¦ pushd /x @/data ¦ rm u @/x ¦ popd @/x ¦ rm t @/data")]
    [InlineData("cd sub/./dir/../x; pwd", "cd sub/./dir/../x @/start ¦ pwd @/start/sub/x")]
    [InlineData("cd $D; rm x", "cd o:* @/start ¦ rm x")]
    [InlineData("if x; then cd /a; fi; rm y", "x @/start ¦ cd /a @/start ¦ rm y")]
    public void Parse_Command_ListsExpandedCommands(string source, string? expected)
    {
        if (expected is null)
        {
            var script = ShellParser.Parse(source, "/start");
            Assert.False(script.Complete);
            return;
        }

        Assert.Equal(expected, Parse(source, source.Contains("cd ", StringComparison.Ordinal) && !source.StartsWith('(') ? "/start" : null));
    }

    [Fact]
    public void Parse_CommandSubstitution_ListsItsCommandsBeforeTheCommandUsingIt()
    {
        var script = ShellParser.Parse("rm $(cat list) && ls");
        Assert.Equal(["cat", "rm", "ls"], script.Commands.Select(c => c.Words[0].Text));
    }

    [Fact]
    public void Parse_Pipeline_NumbersMembersInOrder()
    {
        var script = ShellParser.Parse("a | b | c; d");
        Assert.Equal([(0, 0), (0, 1), (0, 2), (1, 0)], script.Commands.Select(c => (c.Pipeline, c.PipelineIndex)));
    }

    [Fact]
    public void Parse_AnsiCNul_EndsTheQuotedPartOnly()
    {
        var script = ShellParser.Parse("echo $'a\\0b'c $'\\x00' x");
        Assert.Equal(["echo", "ac", "", "x"], script.Commands[0].Words.Select(w => w.Text));
    }
}

namespace AgentGuard.Effects.Shell;

/// <summary>Commands the analyser has no table entry for, and commands whose name is computed.</summary>
internal static class ShellUnknownCommands
{
    /// <summary>
    /// An exec of the command when it is a path (<c>./run.sh</c>), and a read of every operand that
    /// looks like a path, so <c>foo /data/x.safetensors</c> still touches the weights.
    /// </summary>
    public static void Unknown(ShellEffectCollector c, ShellInvocation inv)
    {
        var name = inv.Name;
        if (name.Text.Contains('/'))
        {
            c.AddFile(EffectKind.Exec, name, inv.Cwd);

            // /etc/init.d/UNIT stop
            if (name.Text.StartsWith("/etc/init.d/", StringComparison.Ordinal) && inv.ArgumentCount > 0)
            {
                ShellServiceCommands.AddServiceAction(c, name.Text[12..], inv.Words[inv.First].Text);
            }
        }

        ShellInterpreters.ReadPathOperands(c, inv, inv.First);
    }

    /// <summary>A command whose name is not known statically (<c>$CMD /data</c>): opaque, with its path-like words as opaque names.</summary>
    public static void Computed(ShellEffectCollector c, ShellInvocation inv)
    {
        var text = inv.Join(inv.Start);
        c.AddOpaque(text);
        for (var i = inv.First; i < inv.Words.Count; i++)
        {
            var word = inv.Words[i];
            if (ShellPaths.LooksLikePath(word.Text) || word.IsPattern)
            {
                var resource = c.File(word, inv.Cwd);
                if (!resource.IsEmpty)
                {
                    c.Add(EffectKind.Exec, resource.Uri, null, null, resource.AsResource | EffectFlags.Opaque);
                }
            }
        }
    }
}

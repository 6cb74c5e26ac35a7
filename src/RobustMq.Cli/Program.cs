return await RobustMq.Cli.Ctl.RunAsync(args, Console.Out, Console.Error);

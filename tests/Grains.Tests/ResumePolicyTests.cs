using Thresher.Abstractions;

namespace Thresher.Grains.Tests;

/// <summary>When a run retries, resumes, counts a resume and gives up, without a cluster.</summary>
public sealed class ResumePolicyTests
{
    [Fact]
    public void Orleans_failures_timeouts_and_a_parameter_server_behind_are_transient_the_runs_own_errors_are_not()
    {
        Assert.True(ResumePolicy.IsTransient(new OrleansException("silo gone")));
        Assert.True(ResumePolicy.IsTransient(new SiloUnavailableException("silo gone")));
        Assert.True(ResumePolicy.IsTransient(new TimeoutException()));
        Assert.True(ResumePolicy.IsTransient(new ParameterServerBehindException("behind")));
        Assert.False(ResumePolicy.IsTransient(new InvalidOperationException("step 3 refused")));
        Assert.False(ResumePolicy.IsTransient(new ThresherInputException("bad value")));
    }

    [Fact]
    public void A_failure_asks_for_a_resume_after_a_growing_delay_until_the_limit()
    {
        var policy = new ResumePolicy();
        Assert.False(policy.MustResume);
        Assert.Equal(TimeSpan.FromMilliseconds(250), policy.Failed());
        Assert.True(policy.MustResume);
        Assert.Equal(TimeSpan.FromMilliseconds(500), policy.Failed());
        for (int i = 3; i < ResumePolicy.MaxConsecutiveFailures; i++)
            Assert.True(policy.Failed() <= TimeSpan.FromSeconds(2));
        Assert.Null(policy.Failed()); // the 30th in a row
        Assert.Equal(ResumePolicy.MaxConsecutiveFailures, policy.Failures);
    }

    [Fact]
    public void A_recorded_step_resets_the_failures_in_a_row()
    {
        var policy = new ResumePolicy();
        for (int i = 1; i < ResumePolicy.MaxConsecutiveFailures; i++) policy.Failed();
        policy.Succeeded();
        Assert.Equal(0, policy.Failures);
        Assert.NotNull(policy.Failed());
    }

    [Fact]
    public void A_resume_counts_when_steps_were_lost()
    {
        var policy = new ResumePolicy();
        policy.Failed();
        Assert.True(policy.Resumed(from: 50, recorded: 57));
        Assert.False(policy.MustResume);
        policy.Failed();
        Assert.False(policy.Resumed(from: 57, recorded: 57)); // a live parameter server: nothing lost, no resume
    }

    [Fact]
    public void After_reactivation_the_first_resume_counts_even_at_the_recorded_step_and_only_the_first()
    {
        var policy = new ResumePolicy();
        policy.Reactivated();
        Assert.True(policy.MustResume);
        Assert.True(policy.Resumed(from: 100, recorded: 100));
        policy.Failed();
        Assert.False(policy.Resumed(from: 100, recorded: 100));
    }
}

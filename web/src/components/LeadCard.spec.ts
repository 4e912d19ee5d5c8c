// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { card, leadId, stageIds } from '../lib/boardFixtures.ts';
import LeadCard from './LeadCard.vue';

describe('LeadCard', () => {
  it('shows the full name, the company, the deal value and the owner', () => {
    const wrapper = mount(LeadCard, {
      props: { card: card(1, 'a', stageIds.new, { firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines', dealValue: 42000, ownerName: 'Grace Hopper', ownerId: leadId(99) }), currency: 'USD' },
    });
    expect(wrapper.attributes('data-testid')).toBe(`card-${leadId(1)}`);
    expect(wrapper.find('h3').text()).toBe('Ada Lovelace');
    expect(wrapper.text()).toContain('Analytical Engines');
    expect(wrapper.find('[data-field="value"]').text()).toMatch(/42,000/);
    expect(wrapper.find('[data-field="owner"]').text()).toContain('Grace Hopper');
    expect(wrapper.find('.lead-card__avatar').text()).toBe('GH');
  });

  it('titles a company-only lead with the company and says when nobody owns it', () => {
    const wrapper = mount(LeadCard, { props: { card: card(2, 'a', stageIds.new, { firstName: null, lastName: null, company: 'Initech', dealValue: null }) } });
    expect(wrapper.find('h3').text()).toBe('Initech');
    expect(wrapper.find('.lead-card__company').exists()).toBe(false);
    expect(wrapper.find('[data-field="value"]').text()).toBe('—');
    expect(wrapper.find('[data-field="owner"]').text()).toContain('Unassigned');
  });

  it('shows no value at all, not an empty one, when the field permissions hide it', () => {
    const { dealValue: _hidden, ...rest } = card(5, 'a', stageIds.new, { dealValue: 5000 });
    const wrapper = mount(LeadCard, { props: { card: rest, currency: 'USD' } });
    expect(wrapper.find('[data-field="value"]').exists()).toBe(false);
    expect(wrapper.find('[data-field="value-hidden"]').attributes('title')).toMatch(/field permissions/);
    expect(wrapper.text()).not.toMatch(/5,000/);
    expect(wrapper.attributes('aria-label')).not.toMatch(/—|5,000/);
  });

  it('marks a card whose change is not confirmed yet, in text as well as style', () => {
    const wrapper = mount(LeadCard, { props: { card: card(3, 'a', stageIds.new), pending: true } });
    expect(wrapper.classes()).toContain('lead-card--pending');
    expect(wrapper.attributes('aria-busy')).toBe('true');
    expect(wrapper.text()).toContain('Saving');
  });

  it('marks a card the user may not move', () => {
    const wrapper = mount(LeadCard, { props: { card: card(4, 'a', stageIds.new), locked: true } });
    expect(wrapper.classes()).toContain('lead-card--locked');
    expect(wrapper.find('.pi-lock').attributes('title')).toMatch(/cannot move/);
  });

  it('in select mode shows a checkbox; a click or the checkbox selects (shift: a range) instead of opening', async () => {
    const plain = mount(LeadCard, { props: { card: card(5, 'a', stageIds.new) } });
    expect(plain.find(`[data-testid="card-select-${leadId(5)}"]`).exists()).toBe(false);
    const wrapper = mount(LeadCard, { props: { card: card(5, 'a', stageIds.new, { company: 'Initech', firstName: null, lastName: null }), selectable: true, selected: true } });
    const box = wrapper.find(`[data-testid="card-select-${leadId(5)}"]`);
    expect(box.attributes('role')).toBe('checkbox');
    expect(box.attributes('aria-checked')).toBe('true');
    expect(box.attributes('aria-label')).toBe('Select Initech');
    expect(wrapper.classes()).toContain('lead-card--selected');
    await box.trigger('click', { shiftKey: true });
    await wrapper.trigger('click');
    expect(wrapper.emitted('select')).toEqual([[true], [false]]);
  });
});

